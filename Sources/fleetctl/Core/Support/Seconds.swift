import FleetCore

/// Durations and instants as fleetctl prints them.
public enum Seconds {
    /// `2.5s`, `20s`.
    public static func text(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return JSONWriter.formatDouble((Double(seconds) + Double(attoseconds) / 1e18) * 10 / 10) + "s"
    }

    /// Fractional Unix seconds of `instant`.
    public static func epoch(_ instant: UTCInstant) -> Double {
        Double(instant.seconds) + Double(instant.nanoseconds) / 1e9
    }

    /// The instant at fractional Unix seconds `value`.
    public static func instant(_ value: Double) -> UTCInstant {
        let whole = value.rounded(.down)
        return UTCInstant(seconds: Int64(whole), nanoseconds: Int64((value - whole) * 1e9))
    }

    /// A duration as a Double of seconds.
    public static func of(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
