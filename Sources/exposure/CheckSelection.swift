import Findings

/// `--check` and `--skip-check`: which checks a report keeps. Ids are those of `exposure checks`; an
/// unknown id is a usage error that lists the ids it is nearest to.
struct CheckSelection {
    private var only: Set<String>?
    private var skipped: Set<String> = []

    init(checks: [String], skipped: [String]) throws {
        let known = Set(ChecksCommand.catalogue.map(\.id))
        func ids(_ lists: [String], option: String) throws -> Set<String> {
            var out: Set<String> = []
            for id in lists.flatMap({ $0.split(separator: ",") }).map({ $0.trimmingCharacters(in: .whitespaces) })
            where !id.isEmpty {
                guard known.contains(id) else {
                    throw InputError(reason: Self.unknown(id, option: option, known: known))
                }
                out.insert(id)
            }
            return out
        }
        let chosen = try ids(checks, option: "--check")
        only = checks.isEmpty ? nil : chosen
        self.skipped = try ids(skipped, option: "--skip-check")
    }

    func includes(_ id: String) -> Bool {
        (only?.contains(id) ?? true) && !skipped.contains(id)
    }

    static func unknown(_ id: String, option: String, known: Set<String>) -> String {
        let near = nearest(id, in: known)
        let hint =
            near.isEmpty
            ? "run 'exposure checks' for the list"
            : "did you mean \(near.map { "'\($0)'" }.joined(separator: ", "))?"
        return "\(option): no check is called '\(id)'; \(hint)"
    }

    /// Up to three ids within a small edit distance of `id`, or sharing its last part.
    static func nearest(_ id: String, in known: Set<String>) -> [String] {
        let tail = id.split(separator: ".").last.map(String.init) ?? id
        let scored = known.map { candidate -> (String, Int) in
            var d = distance(id.lowercased(), candidate)
            if candidate.hasSuffix("." + tail) || candidate.contains(tail.lowercased()) { d = min(d, 2) }
            return (candidate, d)
        }
        let limit = max(3, id.count / 3)
        return scored.filter { $0.1 <= limit }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(3).map(\.0)
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
