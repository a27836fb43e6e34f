/// Writes a JSON document in pieces to a sink, so that rendering a large report needs memory for one
/// piece at a time rather than for the whole text. The bytes are those `JSONValue.prettyText` would
/// give for the same document.
struct DocumentStream {
    private var buffer = ""
    private let sink: (String) throws -> Void
    /// Pieces are handed to the sink once this many bytes have gathered.
    private static let chunk = 1 << 16

    init(sink: @escaping (String) throws -> Void) {
        self.sink = sink
    }

    mutating func append(_ text: String) throws {
        buffer += text
        if buffer.utf8.count >= Self.chunk { try flush() }
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try sink(buffer)
        buffer = ""
    }

    /// An array at `level`, its items made one by one.
    mutating func array<S: Sequence>(_ items: S, level: Int, _ item: (S.Element) -> JSONValue) throws {
        var first = true
        for element in items {
            try append(first ? "[" : ",")
            first = false
            try append("\n" + String(repeating: "  ", count: level + 1))
            try append(item(element).prettyText(level: level + 1))
        }
        try append(first ? "[]" : "\n" + String(repeating: "  ", count: level) + "]")
    }

    /// `"key": ` inside an object at `level`, with the separator before it.
    mutating func key(_ name: String, level: Int, first: Bool) throws {
        try append((first ? "{" : ",") + "\n" + String(repeating: "  ", count: level + 1))
        try append(JSONValue.string(name).compactText + ": ")
    }

    mutating func endObject(level: Int) throws {
        try append("\n" + String(repeating: "  ", count: level) + "}")
    }
}
