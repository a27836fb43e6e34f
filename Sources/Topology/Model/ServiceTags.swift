/// Azure's published service tags (the `ServiceTags_Public_*.json` file, `--service-tags FILE`):
/// the IPv4 and IPv6 prefixes of each tag, so rules naming `Storage`, `Sql.WestEurope` or
/// `AzureCloud.westeurope` match the addresses Azure gives them. Without it, such tags stand for
/// a conservative token (DESIGN.md example I).
public struct ServiceTags: Sendable {
    /// The file the tags were read from, for messages.
    public var file: String
    /// The file's own `changeNumber` and `cloud`, when it gives them.
    public var changeNumber: Int?
    public var cloud: String?
    /// IPv4 and IPv6 prefixes by lower-cased tag name (names compare case-insensitively, as Azure's do).
    public var prefixes: [String: [NetworkPrefix]]
    /// How many tags the file lists.
    public var tagCount: Int

    public init(
        file: String, changeNumber: Int? = nil, cloud: String? = nil, prefixes: [String: [NetworkPrefix]],
        tagCount: Int? = nil
    ) {
        self.file = file
        self.changeNumber = changeNumber
        self.cloud = cloud
        self.prefixes = prefixes
        self.tagCount = tagCount ?? prefixes.count
    }

    /// The prefixes of a tag, nil when the file does not list it.
    public func prefixes(of tag: String) -> [NetworkPrefix]? { prefixes[tag.lowercased()] }
}
