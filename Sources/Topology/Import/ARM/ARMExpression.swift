/// An ARM template expression, the text between `[` and `]`: string and integer literals, function
/// calls, and property (`.name`) and index (`[0]`) access on their results.
indirect enum ARMExpression {
    case literal(ARMValue)
    case call(name: String, arguments: [ARMExpression])
    case property(ARMExpression, String)
    case index(ARMExpression, ARMExpression)

    struct SyntaxError: Error {
        var message: String
    }

    /// Whether a template string is an expression (`[…]`, not the `[[` escape).
    static func isExpression(_ text: String) -> Bool {
        text.hasPrefix("[") && text.hasSuffix("]") && !text.hasPrefix("[[") && text.count >= 2
    }

    /// Parses the inside of `[…]`.
    static func parse(_ text: some StringProtocol) throws -> ARMExpression {
        var parser = Parser(chars: Array(text.utf8))
        let expression = try parser.expression(depth: 0)
        parser.skipSpaces()
        guard parser.index == parser.chars.count else {
            throw SyntaxError(message: "unexpected text after the expression at character \(parser.index + 1)")
        }
        return expression
    }

    private struct Parser {
        let chars: [UInt8]
        var index = 0
        /// Deep nesting is refused before it can exhaust the stack.
        static let maximumDepth = 64

        mutating func skipSpaces() {
            while index < chars.count,
                chars[index] == 0x20 || chars[index] == 0x09 || chars[index] == 0x0A
                    || chars[index] == 0x0D
            {
                index += 1
            }
        }

        func peek() -> UInt8? { index < chars.count ? chars[index] : nil }

        mutating func expect(_ c: UInt8) throws {
            skipSpaces()
            guard peek() == c else {
                throw SyntaxError(message: "expected '\(Character(Unicode.Scalar(c)))' at character \(index + 1)")
            }
            index += 1
        }

        mutating func expression(depth: Int) throws -> ARMExpression {
            guard depth < Self.maximumDepth else { throw SyntaxError(message: "nested too deeply") }
            var result = try primary(depth: depth)
            while true {
                skipSpaces()
                if peek() == UInt8(ascii: ".") {
                    index += 1
                    skipSpaces()
                    let name = identifier()
                    guard !name.isEmpty else {
                        throw SyntaxError(message: "expected a property name at character \(index + 1)")
                    }
                    result = .property(result, name)
                } else if peek() == UInt8(ascii: "[") {
                    index += 1
                    let inner = try expression(depth: depth + 1)
                    try expect(UInt8(ascii: "]"))
                    result = .index(result, inner)
                } else {
                    return result
                }
            }
        }

        mutating func identifier() -> String {
            let start = index
            while let c = peek(),
                (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F
                    || c == 0x24
            {
                index += 1
            }
            return String(decoding: chars[start..<index], as: UTF8.self)
        }

        mutating func primary(depth: Int) throws -> ARMExpression {
            skipSpaces()
            guard let c = peek() else { throw SyntaxError(message: "the expression ends too early") }
            if c == UInt8(ascii: "'") {
                index += 1
                var bytes: [UInt8] = []
                while let d = peek() {
                    index += 1
                    if d == UInt8(ascii: "'") {
                        if peek() == UInt8(ascii: "'") {
                            bytes.append(d)
                            index += 1
                            continue
                        }
                        return .literal(.string(String(decoding: bytes, as: UTF8.self)))
                    }
                    bytes.append(d)
                }
                throw SyntaxError(message: "a string literal is not closed")
            }
            if c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) {
                let start = index
                index += 1
                while let d = peek(), d >= 0x30 && d <= 0x39 { index += 1 }
                let text = String(decoding: chars[start..<index], as: UTF8.self)
                guard let n = Int(text) else { throw SyntaxError(message: "'\(text)' is not an integer") }
                return .literal(.int(n))
            }
            let name = identifier()
            guard !name.isEmpty else {
                throw SyntaxError(
                    message: "unexpected '\(Character(Unicode.Scalar(c)))' at character \(index + 1)")
            }
            skipSpaces()
            guard peek() == UInt8(ascii: "(") else {
                switch name.lowercased() {
                case "true": return .literal(.bool(true))
                case "false": return .literal(.bool(false))
                case "null": return .literal(.null)
                default: throw SyntaxError(message: "'\(name)' is not followed by '(': expected a function call")
                }
            }
            index += 1
            var arguments: [ARMExpression] = []
            skipSpaces()
            if peek() == UInt8(ascii: ")") {
                index += 1
                return .call(name: name, arguments: arguments)
            }
            while true {
                arguments.append(try expression(depth: depth + 1))
                skipSpaces()
                if peek() == UInt8(ascii: ",") {
                    index += 1
                } else if peek() == UInt8(ascii: ")") {
                    index += 1
                    return .call(name: name, arguments: arguments)
                } else {
                    throw SyntaxError(message: "expected ',' or ')' in the arguments of \(name)()")
                }
            }
        }
    }
}
