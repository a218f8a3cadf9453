import FleetCore
import Foundation
import TestSupport
import XCTest

/// Steps the wall clock of chosen processes, and only theirs: libfaketime preloaded into them,
/// its offset read from a file on every clock call (`FAKETIME_TIMESTAMP_FILE`,
/// `FAKETIME_NO_CACHE=1`), so rewriting the file steps the clock of processes already running,
/// back or forth, as NTP or an operator's `date -s` would. `FAKETIME_DONT_FAKE_MONOTONIC=1`
/// (`--exclude-monotonic`) leaves CLOCK_MONOTONIC and CLOCK_BOOTTIME real, as a real step does.
/// Children inherit the preload: the agent and git see the same stepped clock.
///
/// Clock reads are interposed for our dynamically linked debug builds: FleetCore's SystemClock
/// and the Swift runtime's ContinuousClock both call glibc's exported `clock_gettime`, which the
/// preload replaces; nothing reads the vDSO directly.
///
/// The program is started through Debian's `faketime` wrapper (which sets `LD_PRELOAD`), not
/// with a bare `LD_PRELOAD`: libfaketime's constructor otherwise calls
/// `setenv("FAKETIME_SHARED", ...)`, which moves `environ` off the initial stack, and the Swift
/// runtime on Linux finds argv by walking back from `environ` at load time, so a Swift program
/// preloaded directly sees no arguments at all (`agent-runner serve` prints the usage). The
/// wrapper creates the shared objects and sets `FAKETIME_SHARED` before the exec. `env -u
/// FAKETIME` then drops the wrapper's fixed offset, so the offset file rules.
struct FakeTime {
    static let installCommand = "apt-get install -y faketime"
    static let wrapper = "/usr/bin/faketime"

    let offsetFile: String

    /// - Parameter directory: where the offset file lives (a test's temporary directory).
    init(directory: String, file: StaticString = #filePath, line: UInt = #line) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.wrapper), Self.findLibrary() != nil else {
            XCTFail(
                "libfaketime is missing (\(Self.wrapper), /usr/lib/*/faketime/libfaketime.so.1); install it with: \(Self.installCommand) (scripts/test does, as root)",
                file: file, line: line)
            throw MissingPrerequisite("libfaketime missing")
        }
        offsetFile = directory + "/faketime-offset"
        try step(to: "+0")
    }

    /// Runs `executable arguments` under the fake clock.
    func request(
        _ executable: String, _ arguments: [String], environment: [String: String], workingDirectory: String,
        standardOutput: ProcessRequest.Output = .capture(), standardError: ProcessRequest.Output = .capture(),
        grouping: ProcessRequest.Grouping = .newProcessGroup, deadline: ContinuousClock.Instant? = nil
    ) -> ProcessRequest {
        var env = ProcessRequest.currentEnvironment()
        env.merge(environment) { _, new in new }
        env.merge([
            "FAKETIME_TIMESTAMP_FILE": offsetFile, "FAKETIME_NO_CACHE": "1", "FAKETIME_DONT_FAKE_MONOTONIC": "1",
        ]) { _, new in new }
        return ProcessRequest(
            Self.wrapper,
            arguments: ["-f", "--exclude-monotonic", "+0", "env", "-u", "FAKETIME", executable] + arguments,
            environment: env, workingDirectory: workingDirectory, standardOutput: standardOutput,
            standardError: standardError,
            grouping: grouping, deadline: deadline)
    }

    /// Sets the processes' wall clock to the real time plus `offset` (libfaketime's syntax:
    /// `-3h`, `+2d`, `+0`), at once: the file is replaced atomically, so a reader never sees
    /// it empty.
    func step(to offset: String) throws {
        try (offset + "\n").write(toFile: offsetFile, atomically: true, encoding: .utf8)
    }

    /// `/usr/lib/<multiarch triplet>/faketime/libfaketime.so.1` (Debian's libfaketime package).
    static func findLibrary() -> String? {
        let triplets = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib")) ?? []
        return
            (triplets.sorted().map { "/usr/lib/\($0)/faketime/libfaketime.so.1" } + [
                "/usr/lib/faketime/libfaketime.so.1"
            ])
            .first { FileManager.default.isReadableFile(atPath: $0) }
    }
}
