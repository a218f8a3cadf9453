/// Median, percentiles, min and max of a sample, printed the same way by every scenario.
struct Statistics {
    var values: [Double]

    var median: Double { percentile(50) }

    /// The `p`-th percentile (0–100), interpolated linearly between the two closest ranks
    /// (the median of an even count is the mean of the middle two); NaN for an empty sample.
    func percentile(_ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let rank = Swift.min(Swift.max(p, 0), 100) / 100 * Double(sorted.count - 1)
        let lower = Int(rank.rounded(.down))
        let upper = Swift.min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (rank - Double(lower))
    }

    var min: Double { values.min() ?? .nan }
    var max: Double { values.max() ?? .nan }

    /// `median 3.21 ms (min 2.90, max 4.02, n=20)`.
    func line(unit: String, scale: Double = 1) -> String {
        "median \(format(median * scale)) \(unit) (min \(format(min * scale)), max \(format(max * scale)), n=\(values.count))"
    }
}

func format(_ value: Double) -> String {
    guard value.isFinite else { return "n/a" }
    let scaled = (value * 100).rounded() / 100
    var text = String(scaled)
    if text.hasSuffix(".0") { text.removeLast(2) }
    return text
}
