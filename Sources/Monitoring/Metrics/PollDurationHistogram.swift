import FleetCore

/// Poll latencies as a Prometheus histogram: cumulative bucket counts, sum and count, kept
/// incrementally (a long watch observes millions of polls; nothing grows with them).
public struct PollDurationHistogram: Sendable, Equatable {
    /// Upper bounds in seconds: a LAN poll takes ~0.1 s, a cold ssh over a slow link seconds,
    /// a poll killed at `poll_timeout_s` (default 20) lands in the last buckets.
    public static let defaultBuckets: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60]

    public let buckets: [Double]
    /// Observations at or below each bound (not cumulative; summed when rendered).
    public private(set) var counts: [UInt64]
    public private(set) var sum: Double = 0
    public private(set) var count: UInt64 = 0

    public init(buckets: [Double] = Self.defaultBuckets) {
        self.buckets = buckets.sorted()
        counts = Array(repeating: 0, count: buckets.count)
    }

    public mutating func observe(_ seconds: Double) {
        guard seconds.isFinite, seconds >= 0 else { return }
        if let index = buckets.firstIndex(where: { seconds <= $0 }) { counts[index] += 1 }
        sum += seconds
        count += 1
    }

    /// `NAME_bucket{le=...}`, `NAME_sum`, `NAME_count` samples.
    public func family(name: String, help: String) -> MetricFamily {
        var family = MetricFamily(name: name, help: help, kind: .histogram)
        var cumulative: UInt64 = 0
        for (bound, bucketCount) in zip(buckets, counts) {
            cumulative += bucketCount
            family.samples.append(
                .init(suffix: "_bucket", labels: [.init("le", PrometheusText.number(bound))], value: Double(cumulative))
            )
        }
        family.samples.append(.init(suffix: "_bucket", labels: [.init("le", "+Inf")], value: Double(count)))
        family.samples.append(.init(suffix: "_sum", value: sum))
        family.samples.append(.init(suffix: "_count", value: Double(count)))
        return family
    }
}
