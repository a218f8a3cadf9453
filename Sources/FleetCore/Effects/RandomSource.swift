/// Randomness for jitter (back-off, poll spreading), injected so a test can replay the exact
/// schedule a failure showed: seeded sources print their seed.
public protocol RandomSource: Sendable {
    /// A value in `0..<1`.
    func unit() -> Double
}

extension RandomSource {
    /// A value in `range` (both ends included).
    public func int(in range: ClosedRange<Int64>) -> Int64 {
        let span = Double(range.upperBound - range.lowerBound) + 1
        return min(range.upperBound, range.lowerBound + Int64((unit() * span).rounded(.down)))
    }
}

/// The system's random number generator.
public struct SystemRandom: RandomSource {
    public init() {}

    public func unit() -> Double {
        Double.random(in: 0..<1)
    }
}
