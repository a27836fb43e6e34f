import Findings

/// The DNSSEC zone checks (`exposure dns zone`).
public enum ZoneCatalogue {
    public static let checks: [Check] = []
}
