import FleetCore
import Synchronization

/// A repeatable random source (SplitMix64). Tests that use randomness print the seed on
/// failure and take it from `TEST_SEED` when set, so a failing schedule can be replayed.
public final class SeededRandom: RandomSource, RandomNumberGenerator, Sendable {
    public let seed: UInt64
    private let state: Mutex<UInt64>

    public init(seed: UInt64) {
        self.seed = seed
        state = Mutex(seed)
    }

    /// `TEST_SEED` from the environment, else a fresh random seed.
    public static func fromEnvironment() -> SeededRandom {
        let text = ProcessEnvironment.current()["TEST_SEED"]
        return SeededRandom(seed: text.flatMap { UInt64($0) } ?? UInt64.random(in: 0...UInt64.max))
    }

    public func next() -> UInt64 {
        state.withLock { state in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// A value in `0..<n` (0 when `n` is not positive).
    public func below(_ n: Int) -> Int {
        n <= 0 ? 0 : Int(next() % UInt64(n))
    }

    public func unit() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }

    /// "seed 1234 (rerun with TEST_SEED=1234)": for assertion messages.
    public var replayHint: String {
        "seed \(seed) (rerun with TEST_SEED=\(seed))"
    }
}
