/// Every side effect the long-running loops have (the round, the restart loop, the watch loop,
/// the rollout runner, the upgrader), in one value carried by ``CommandContext``.
///
/// Production passes ``live()``; a test passes fakes (TestSupport's `FakeClock`,
/// `ScriptedProcessRunner`, ...) and runs a loop in milliseconds with an exact schedule. The
/// one effect not here is the remote executor: it belongs to SSHTransport, which FleetCore
/// cannot name; the monitoring loops take it beside these.
public struct Effects: Sendable {
    /// What loops measure and wait on.
    public var clock: any MonotonicClock
    /// What event timestamps and "now" in reports use.
    public var wallClock: any WallClock
    /// How programs are started.
    public var processes: any ProcessRunner
    /// How files are read.
    public var fileSystem: any FileSystem
    /// Jitter.
    public var random: any RandomSource

    public init(
        clock: any MonotonicClock, wallClock: any WallClock, processes: any ProcessRunner,
        fileSystem: any FileSystem, random: any RandomSource
    ) {
        self.clock = clock
        self.wallClock = wallClock
        self.processes = processes
        self.fileSystem = fileSystem
        self.random = random
    }

    /// The machine's real clocks, process spawner, file system and randomness.
    public static func live() -> Effects {
        Effects(
            clock: SystemMonotonicClock(), wallClock: SystemClock(), processes: PosixProcessRunner(),
            fileSystem: LocalFileSystem(), random: SystemRandom())
    }
}
