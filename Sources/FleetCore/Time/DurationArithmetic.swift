#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The conversions between `Duration` and the numbers C calls and JSON payloads use, in one
/// place: each was written out by hand at half a dozen call sites before, with small drifts
/// (a rounding here, a missing clamp there).
extension Duration {
    /// Whole and fractional seconds as a Double (`1.5` for 1 500 ms).
    public var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }

    /// Whole milliseconds, rounded down.
    public var milliseconds: Int64 {
        let (whole, attoseconds) = components
        return whole * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Whole nanoseconds, rounded down; negative durations give 0.
    public var nanoseconds: Int64 {
        let (whole, attoseconds) = max(.zero, self).components
        return whole.multipliedReportingOverflow(by: 1_000_000_000).overflow
            ? Int64.max : whole * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// The duration of `value` seconds (fractions kept to the millisecond; NaN and negative
    /// values give zero, values past a century are clamped so arithmetic cannot overflow).
    public static func seconds(_ value: Double) -> Duration {
        guard value.isFinite, value > 0 else { return .zero }
        return .milliseconds(Int64(min(value, 3_153_600_000) * 1000))
    }

    /// `timespec` for `nanosleep` and `pthread_cond_timedwait`.
    public var timespec: timespec {
        let total = nanoseconds
        return Glibc.timespec(tv_sec: Int(total / 1_000_000_000), tv_nsec: Int(total % 1_000_000_000))
    }

    /// How messages to the operator show a duration: `137 ms`, `2.5 s`, `3 s`, `2 min 5 s`
    /// (``HumanText/duration(seconds:)``, the one formatter; negative durations read `0 ms`).
    public var shortText: String {
        HumanText.duration(seconds: max(.zero, self).seconds)
    }
}
