/// Where zones come from. Production reads the system's compiled database
/// (``ZoneInfoDatabase``); tests pass zones built from rules, so schedule decisions are tested
/// without touching the file system.
public protocol ZoneSource: Sendable {
    /// The zone `name` (`Europe/Berlin`).
    func zone(named name: String) throws(TimeZoneError) -> IANAZone
    /// The host's local zone, named `local`.
    func localZone() throws(TimeZoneError) -> IANAZone
}
