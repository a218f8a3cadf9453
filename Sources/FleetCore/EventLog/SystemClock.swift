import Glibc

/// The real-time clock (`clock_gettime(CLOCK_REALTIME)`): what event timestamps normally use.
///
/// On hosts without a battery-backed clock (Raspberry Pis) this can jump, forwards when NTP
/// syncs and backwards after a restore from `fake-hwclock`; readers tolerate slightly
/// out-of-order timestamps for that reason.
public struct SystemClock: WallClock {
    /// Creates the system clock.
    public init() {}

    public func now() -> UTCInstant {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return UTCInstant(seconds: Int64(time.tv_sec), nanoseconds: Int64(time.tv_nsec))
    }
}
