/// BIND's `$GENERATE start-stop[/step] lhs [ttl] [class] type rhs`: one record for each value of the
/// range, with `$` in `lhs` and `rhs` replaced by the value. `${offset,width,base}` adds `offset`,
/// pads to `width` digits and writes in base `d`, `o`, `x` or `X` (BIND's nibble forms `n`/`N` are
/// refused); `\$` is a literal `$`. libldns does not know the directive, so it is expanded here and
/// each record goes through the same reader as written ones.
///
/// The range is bounded: at most `maximumRecords` records, so a line asking for 10^9 names is
/// refused before any is made. Worked example:
///
///     $GENERATE 1-3 host$ A 192.0.2.${10,3}
///     → host1 A 192.0.2.011, host2 A 192.0.2.012, host3 A 192.0.2.013
struct GenerateDirective {
    static let maximumRecords = 1_000_000

    let start: Int
    let stop: Int
    let step: Int
    /// The owner template, the fields between it and the RDATA, and the RDATA template.
    let owner: String
    let middle: String
    let rdata: String

    var count: Int { (stop - start) / step + 1 }

    /// Parses the directive's text (the line without its comment), or says what is wrong.
    init(_ line: String) throws(GenerateError) {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count >= 5 else {
            throw .malformed("$GENERATE needs a range, an owner, a type and data")
        }
        let rangeParts = fields[1].split(separator: "/", omittingEmptySubsequences: false)
        let bounds = rangeParts[0].split(separator: "-", omittingEmptySubsequences: false)
        guard rangeParts.count <= 2, bounds.count == 2, let start = Int(bounds[0]), let stop = Int(bounds[1]),
            start >= 0, stop >= start, stop <= Int(Int32.max)
        else {
            throw .malformed("$GENERATE range '\(fields[1])' is not start-stop[/step] with 0 ≤ start ≤ stop < 2^31")
        }
        let step = rangeParts.count == 2 ? Int(rangeParts[1]) : 1
        guard let step, step > 0 else { throw .malformed("$GENERATE step in '\(fields[1])' is not a positive number") }
        self.start = start
        self.stop = stop
        self.step = step
        guard (stop - start) / step + 1 <= Self.maximumRecords else {
            throw .tooMany((stop - start) / step + 1)
        }
        owner = fields[2]
        // The fields up to and with the type: an optional TTL and class, in either order.
        var k = 3
        var middle: [String] = []
        while k < fields.count - 1, middle.count < 2,
            MasterFileFields.ttl(Array(fields[k].utf8)) != .notTTL || MasterFileFields.isClass(Array(fields[k].utf8))
        {
            middle.append(fields[k])
            k += 1
        }
        middle.append(fields[k])
        self.middle = middle.joined(separator: " ")
        rdata = fields[(k + 1)...].joined(separator: " ")
        guard !rdata.isEmpty else { throw .malformed("$GENERATE without data after the type") }
        // Substitute once to catch a bad modifier before any record is made.
        _ = try Self.substitute(owner, start)
        _ = try Self.substitute(rdata, start)
    }

    /// The record text for `value`.
    func record(_ value: Int) throws(GenerateError) -> String {
        try "\(Self.substitute(owner, value)) \(middle) \(Self.substitute(rdata, value))"
    }

    static func substitute(_ template: String, _ value: Int) throws(GenerateError) -> String {
        var out = ""
        let chars = Array(template)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count, chars[i + 1] == "$" {
                out.append("\\$")
                i += 2
                continue
            }
            guard c == "$" else {
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < chars.count, chars[i + 1] == "{" else {
                out += String(value)
                i += 1
                continue
            }
            guard let close = chars[(i + 2)...].firstIndex(of: "}") else {
                throw .malformed("$GENERATE modifier '\(String(chars[i...]))' has no closing '}'")
            }
            let parts = String(chars[(i + 2)..<close]).split(separator: ",", omittingEmptySubsequences: false)
            guard (1...3).contains(parts.count), let offset = Int(parts[0]),
                parts.count < 2 || Int(parts[1]) != nil
            else {
                throw .malformed("$GENERATE modifier '${\(String(chars[(i + 2)..<close]))}' is not {offset,width,base}")
            }
            let width = parts.count > 1 ? Int(parts[1])! : 0
            let base = parts.count > 2 ? String(parts[2]) : "d"
            let number = value + offset
            guard number >= 0 else { throw .malformed("$GENERATE offset makes a negative number") }
            var digits: String
            switch base {
            case "d": digits = String(number)
            case "o": digits = String(number, radix: 8)
            case "x": digits = String(number, radix: 16)
            case "X": digits = String(number, radix: 16, uppercase: true)
            default:
                throw .malformed("$GENERATE base '\(base)' is not supported (d, o, x or X)")
            }
            if digits.count < width { digits = String(repeating: "0", count: width - digits.count) + digits }
            out += digits
            i = close + 1
        }
        return out
    }
}

enum GenerateError: Error, Equatable {
    case malformed(String)
    case tooMany(Int)

    var reason: String {
        switch self {
        case .malformed(let why): why
        case .tooMany(let n):
            "$GENERATE would make \(n) records; at most \(GenerateDirective.maximumRecords) are read from one line"
        }
    }
}
