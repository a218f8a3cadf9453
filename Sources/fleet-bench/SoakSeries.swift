/// One quantity a soak samples as it goes (serve's RSS every 500 rounds, fleetctl's descriptors
/// every 100 cycles), and whether it stayed flat. Pure: the samples in, the verdict out, so what
/// counts as "grew" is tested without running anything for an hour.
///
/// Flat means the end of the run is where its start was, within the noise the issue allows
/// (RSS ±1 MiB, descriptors ±2, overhead ±20 %), comparing the median of the first quarter of
/// the samples with the median of the last quarter: a leak of one descriptor a round shows as
/// hundreds; one busy moment of a loaded machine does not move a median. A ceiling (the disk
/// budget) holds at every sample instead.
struct SoakSeries: Equatable {
    enum Limit: Equatable {
        /// The end may exceed the start by at most this much (units of the series).
        case absolute(Double)
        /// The end may exceed the start by at most this fraction of it.
        case relative(Double)
        /// No sample may exceed this.
        case ceiling(Double)
    }

    struct Point: Equatable {
        /// Rounds or cycles done when the sample was taken.
        var at: Int
        var value: Double
    }

    var name: String
    var unit: String
    var limit: Limit
    var points: [Point] = []

    /// What the run shows.
    enum Verdict: Equatable {
        case flat(start: Double, end: Double)
        case grew(start: Double, end: Double)
        case overCeiling(at: Int, value: Double)
        /// Fewer than two samples: a run too short to tell.
        case tooShort
    }

    var verdict: Verdict {
        if case .ceiling(let ceiling) = limit {
            if let over = points.first(where: { $0.value > ceiling }) {
                return .overCeiling(at: over.at, value: over.value)
            }
            guard let last = points.last, let first = points.first else { return .tooShort }
            return .flat(start: first.value, end: last.value)
        }
        guard points.count >= 2 else { return .tooShort }
        let quarter = max(1, points.count / 4)
        let start = Statistics(values: points.prefix(quarter).map(\.value)).median
        let end = Statistics(values: points.suffix(quarter).map(\.value)).median
        let allowed: Double
        switch limit {
        case .absolute(let delta): allowed = delta
        case .relative(let fraction): allowed = abs(start) * fraction
        case .ceiling: allowed = .infinity
        }
        return end - start > allowed ? .grew(start: start, end: end) : .flat(start: start, end: end)
    }

    var passed: Bool {
        switch verdict {
        case .flat, .tooShort: return true
        case .grew, .overCeiling: return false
        }
    }

    /// `RSS: 9.8 -> 9.9 MiB (limit +1): flat`.
    var line: String {
        let limitText: String
        switch limit {
        case .absolute(let delta): limitText = "+\(format(delta)) \(unit)"
        case .relative(let fraction): limitText = "+\(format(fraction * 100)) %"
        case .ceiling(let ceiling): limitText = "<= \(format(ceiling)) \(unit) at every sample"
        }
        switch verdict {
        case .flat(let start, let end):
            return "\(name): \(format(start)) -> \(format(end)) \(unit) (limit \(limitText)): flat"
        case .grew(let start, let end):
            return "\(name): \(format(start)) -> \(format(end)) \(unit) (limit \(limitText)): GREW"
        case .overCeiling(let at, let value):
            return "\(name): \(format(value)) \(unit) at \(at) (limit \(limitText)): OVER BUDGET"
        case .tooShort:
            return "\(name): too few samples to judge"
        }
    }
}
