import FleetCore

/// Lenient readers for values a remote host sent. Each returns nil ("no data") for a missing
/// key, a wrong type, a non-finite number or a value outside the plausible range, so a broken or
/// hostile host can make a detector go quiet but never make fleetctl trap or mis-fire on
/// `NaN`, `1e308` or `-5`.
enum HostValue {
    /// Largest duration or timeout accepted, in seconds (a year); beyond it a value is junk.
    static let maxSeconds: Double = 366 * 86_400

    /// An integer in `range`; integral doubles (`3.0`) count, fractional ones do not.
    static func int(_ value: JSONValue?, in range: ClosedRange<Int64>) -> Int? {
        guard let number = value?.intValue, range.contains(number) else { return nil }
        return Int(number)
    }

    /// A finite number in `range`.
    static func double(_ value: JSONValue?, in range: ClosedRange<Double>) -> Double? {
        guard let number = value?.doubleValue, number.isFinite, range.contains(number) else { return nil }
        return number
    }

    /// A round number: an integer ≥ 1.
    static func roundNumber(_ value: JSONValue?) -> Int? {
        int(value, in: 1...Int64(Int32.max))
    }

    /// A percentage in 0...100.
    static func percent(_ value: JSONValue?) -> Double? {
        double(value, in: 0...100)
    }

    /// A non-negative duration of at most a year, in seconds.
    static func seconds(_ value: JSONValue?) -> Double? {
        double(value, in: 0...maxSeconds)
    }

    /// A string, or nil for any other type.
    static func string(_ value: JSONValue?) -> String? {
        value?.stringValue
    }

    /// A boolean, or nil for any other type.
    static func bool(_ value: JSONValue?) -> Bool? {
        value?.boolValue
    }
}
