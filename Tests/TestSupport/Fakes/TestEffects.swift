import FleetCore
import XCTest

/// A random source that fails the test when used: for code that must not draw randomness.
public struct UnusableRandom: RandomSource {
    public init() {}

    public func unit() -> Double {
        XCTFail("this test drew randomness without setting up a random source")
        return 0.5
    }
}

extension Effects {
    /// Effects for a test: a fake clock (and its wall clock), and the given runner, file system
    /// and randomness. What is not given fails the test when touched.
    public static func fake(
        clock: FakeClock = FakeClock(), processes: any ProcessRunner = ScriptedProcessRunner(),
        fileSystem: any FileSystem = UntouchableFileSystem(), random: any RandomSource = UnusableRandom()
    ) -> Effects {
        Effects(clock: clock, wallClock: clock.wallClock, processes: processes, fileSystem: fileSystem, random: random)
    }
}
