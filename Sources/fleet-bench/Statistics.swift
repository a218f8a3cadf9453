/// Median, min and max of a sample, printed the same way by every scenario.
struct Statistics {
    var values: [Double]

    var median: Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
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
