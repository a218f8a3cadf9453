/// One kind of local time a zone keeps: its offset from UTC, whether it is daylight-saving
/// time, and the abbreviation clocks show for it (`CEST`, `+1030`).
public struct LocalTimeType: Sendable, Hashable {
    /// Seconds east of UTC (`+7200` for CEST, `-18000` for EST).
    public let utcOffset: Int32
    public let isDaylightSaving: Bool
    public let abbreviation: String

    public init(utcOffset: Int32, isDaylightSaving: Bool, abbreviation: String) {
        self.utcOffset = utcOffset
        self.isDaylightSaving = isDaylightSaving
        self.abbreviation = abbreviation
    }
}
