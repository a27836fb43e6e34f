import Foundation

/// A JSON reader over UTF-8 bytes that hands out the elements of a large resource list one at a
/// time, so memory follows the largest resource rather than the whole export (a 160 MB export held
/// as Foundation objects costs gigabytes). Values come out as Foundation-compatible `Any`
/// (`[String: Any]`, `[Any]`, `String`, `NSNumber`, `NSNull`), and syntax errors carry a line.
/// Nesting is bounded so hostile input cannot exhaust the stack.
struct JSONStreamReader {
    struct SyntaxError: Error {
        var line: Int
        var message: String
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private(set) var line = 1
    static let maximumDepth = 256

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Reads the document. Elements of a top-level array, or of the `value` array of a top-level
    /// object, go to `element` one by one (with their JSON pointer and line) and are not kept; anything
    /// else is returned whole: the top-level object without a streamed `value`, or nil for a
    /// top-level array.
    mutating func read(element: (Any, String, Int) throws -> Void) throws -> Any? {
        skipSpace()
        if peek() == UInt8(ascii: "[") {
            try streamArray(element, prefix: "")
            try finish()
            return nil
        }
        guard peek() == UInt8(ascii: "{") else {
            let value = try parseValue(depth: 0)
            try finish()
            return value
        }
        index += 1
        var object: [String: Any] = [:]
        skipSpace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            try finish()
            return object
        }
        while true {
            skipSpace()
            let key = try parseString()
            skipSpace()
            try expect(UInt8(ascii: ":"))
            skipSpace()
            if key == "value" && peek() == UInt8(ascii: "[") {
                try streamArray(element, prefix: "/value")
                object["value"] = [Any]()
            } else {
                object[key] = try parseValue(depth: 1)
            }
            skipSpace()
            if peek() == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "}"))
            break
        }
        try finish()
        return object
    }

    private mutating func streamArray(_ element: (Any, String, Int) throws -> Void, prefix: String) throws {
        try expect(UInt8(ascii: "["))
        skipSpace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return
        }
        var n = 0
        while true {
            skipSpace()
            let startLine = line
            let value = try parseValue(depth: 1)
            try element(value, "\(prefix)/\(n)", startLine)
            n += 1
            skipSpace()
            if peek() == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "]"))
            return
        }
    }

    private mutating func finish() throws {
        skipSpace()
        if index < bytes.count { throw fail("unexpected text after the JSON document") }
    }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private func fail(_ message: String) -> SyntaxError { SyntaxError(line: line, message: message) }

    private mutating func expect(_ byte: UInt8) throws {
        guard peek() == byte else {
            throw fail(
                peek() == nil
                    ? "the document ends early; expected '\(Character(Unicode.Scalar(byte)))'"
                    : "expected '\(Character(Unicode.Scalar(byte)))'")
        }
        index += 1
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\n"): line += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): break
            default: return
            }
            index += 1
        }
    }

    private mutating func parseValue(depth: Int) throws -> Any {
        guard depth < Self.maximumDepth else { throw fail("nesting deeper than \(Self.maximumDepth) levels") }
        skipSpace()
        guard let byte = peek() else { throw fail("the document ends early; expected a value") }
        switch byte {
        case UInt8(ascii: "{"):
            index += 1
            var object: [String: Any] = [:]
            skipSpace()
            if peek() == UInt8(ascii: "}") {
                index += 1
                return object
            }
            while true {
                skipSpace()
                let key = try parseString()
                skipSpace()
                try expect(UInt8(ascii: ":"))
                object[key] = try parseValue(depth: depth + 1)
                skipSpace()
                if peek() == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                try expect(UInt8(ascii: "}"))
                return object
            }
        case UInt8(ascii: "["):
            index += 1
            var array: [Any] = []
            skipSpace()
            if peek() == UInt8(ascii: "]") {
                index += 1
                return array
            }
            while true {
                array.append(try parseValue(depth: depth + 1))
                skipSpace()
                if peek() == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                try expect(UInt8(ascii: "]"))
                return array
            }
        case UInt8(ascii: "\""):
            return try parseString()
        case UInt8(ascii: "t"):
            try literal("true")
            return NSNumber(value: true)
        case UInt8(ascii: "f"):
            try literal("false")
            return NSNumber(value: false)
        case UInt8(ascii: "n"):
            try literal("null")
            return NSNull()
        default:
            return try parseNumber()
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail("the document ends early") }
        for i in 0..<count where bytes[index + i] != word.utf8Start[i] { throw fail("expected \(word)") }
        index += count
    }

    private mutating func parseNumber() throws -> NSNumber {
        let start = index
        while index < bytes.count, Self.isNumberByte(bytes[index]) { index += 1 }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if let i = Int(text) { return NSNumber(value: i) }
        if let d = Double(text), !text.isEmpty { return NSNumber(value: d) }
        throw fail(text.isEmpty ? "expected a value" : "'\(text)' is not a number")
    }

    private static func isNumberByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
            || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
    }

    private mutating func parseString() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw fail("a control character inside a string") }
            index += 1
        }
        var scalars = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let b = bytes[index]
            index += 1
            if b == UInt8(ascii: "\"") { return String(decoding: scalars, as: UTF8.self) }
            if b < 0x20 { throw fail("a control character inside a string") }
            guard b == UInt8(ascii: "\\") else {
                scalars.append(b)
                continue
            }
            guard let e = peek() else { break }
            index += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(e)
            case UInt8(ascii: "b"): scalars.append(8)
            case UInt8(ascii: "f"): scalars.append(12)
            case UInt8(ascii: "n"): scalars.append(10)
            case UInt8(ascii: "r"): scalars.append(13)
            case UInt8(ascii: "t"): scalars.append(9)
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800...0xDBFF).contains(code), peek() == UInt8(ascii: "\\"), index + 1 < bytes.count,
                    bytes[index + 1] == UInt8(ascii: "u")
                {
                    index += 2
                    let low = try hex4()
                    if (0xDC00...0xDFFF).contains(low) { code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00) }
                }
                let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw fail("an unknown escape in a string")
            }
        }
        throw fail("the document ends inside a string")
    }

    private mutating func hex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("the document ends inside a \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            index += 1
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw fail("a bad \\u escape")
            }
            value = value << 4 | digit
        }
        return value
    }
}
