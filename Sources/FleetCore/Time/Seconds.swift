/// Unix time as fractional seconds, the unit event payloads, detectors and saved states use.
public enum Seconds {
    /// Fractional Unix seconds of `instant`.
    public static func epoch(_ instant: UTCInstant) -> Double {
        Double(instant.seconds) + Double(instant.nanoseconds) / 1e9
    }

    /// The instant at fractional Unix seconds `value`.
    public static func instant(_ value: Double) -> UTCInstant {
        let whole = value.rounded(.down)
        return UTCInstant(seconds: Int64(whole), nanoseconds: Int64((value - whole) * 1e9))
    }
}
