/// A cgroup memory limit: `memory.max`, `memory.high`, `memory.swap.max` (v2, `max` when none)
/// or `memory.limit_in_bytes` (v1, which writes "none" as a number near 2^63).
public enum CgroupLimit: Sendable, Equatable {
    case unlimited
    case bytes(Int64)

    /// v1 has no word for "no limit": it writes `PAGE_COUNTER_MAX` pages
    /// (9223372036854771712 with 4 KiB pages). No real limit comes near 2^62 bytes.
    static let unlimitedFloor: Int64 = 1 << 62

    public var bytes: Int64? {
        if case .bytes(let value) = self { return value }
        return nil
    }

    public var isFinite: Bool { bytes != nil }

    /// `max` or a byte count (anything from 2^62 up counts as unlimited); nil for anything else.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> CgroupLimit? {
        let range = ProcBytes.trimmed(bytes)
        if range.count == 3, ProcBytes.matches(bytes, at: range.lowerBound, limit: range.upperBound, "max") {
            return .unlimited
        }
        var index = range.lowerBound
        guard let value = ProcBytes.integer(bytes, from: &index, limit: range.upperBound), index == range.upperBound
        else { return nil }
        return limit(value)
    }

    static func limit(_ value: Int64) -> CgroupLimit {
        value >= unlimitedFloor ? .unlimited : .bytes(value)
    }

    /// The value as the events and doctor write it: the byte count, or nil (`null`) for none.
    public var jsonBytes: Int64? { bytes }
}
