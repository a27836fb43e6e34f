import Findings

/// A run that ends with exit status 2 after `--format sarif` was chosen still writes its SARIF log,
/// with `executionSuccessful` false and the error as a notification, as code-scanning uploads
/// expect. The command registers its output options once it has parsed them.
enum FailureLog {
    nonisolated(unsafe) private static var options: OutputOptions?

    static func register(_ options: OutputOptions) { self.options = options }

    /// The options when parsing failed before a command could register them: `--format sarif` and
    /// `--output FILE` read straight from the arguments.
    static func fromArguments(_ arguments: [String]) -> OutputOptions? {
        // The answer commands print no SARIF.
        if arguments.count >= 2, arguments[0] == "topology", ["verify-flows", "paths"].contains(arguments[1]) {
            return nil
        }
        var format: String?
        var output: String?
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if a == "--format", i + 1 < arguments.count {
                format = arguments[i + 1]
                i += 1
            } else if a.hasPrefix("--format=") {
                format = String(a.dropFirst("--format=".count))
            } else if a == "--output", i + 1 < arguments.count {
                output = arguments[i + 1]
                i += 1
            } else if a.hasPrefix("--output=") {
                output = String(a.dropFirst("--output=".count))
            }
            i += 1
        }
        guard format == "sarif", var options = try? OutputOptions.parse([]) else { return nil }
        options.format = .sarif
        options.output = output
        return options
    }

    /// Writes the failure log when SARIF was asked for (if even that cannot be written, the error
    /// already printed says why).
    static func write(error message: String, arguments: [String]) {
        guard let options = options ?? fromArguments(arguments), options.format == .sarif else { return }
        try? options.render(Report(), failure: message)
    }
}
