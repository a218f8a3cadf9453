import Foundation
import Glibc
import Synchronization
import XCTest

@testable import FleetCore

/// Real-process tests for the spawning layer. Every test spawns actual children and checks
/// the kernel's view (/proc, waitpid) rather than the library's own bookkeeping.
final class PosixProcessRunnerTests: XCTestCase {
    private let runner = PosixProcessRunner()
    private let searchPath = ["PATH": "/usr/bin:/bin"]

    // MARK: - Deadlines, grandchildren, termination

    func testDeadlineTerminatesTheWholeGroupAndReportsTimedOut() throws {
        let (runner, request) = (
            runner,
            sh(
                "echo $$; sleep 1000 & exec sleep 1000",
                deadline: .now + .seconds(1), grace: .seconds(1))
        )
        let started = ContinuousClock.now
        let output = try completes(within: 6) { try runner.run(request) }
        let elapsed = ContinuousClock.now - started

        XCTAssertTrue(output.timedOut)
        XCTAssertEqual(output.exit, .signalled(SIGTERM))
        XCTAssertGreaterThanOrEqual(elapsed, .seconds(1))
        XCTAssertLessThan(elapsed, .seconds(4))
        let group = try XCTUnwrap(pid_t(output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)))
        defer { kill(-group, SIGKILL) }  // only matters if the assertion below fails
        XCTAssertEqual(liveProcesses(inGroup: group), [], "a process of the timed-out group survived")
    }

    func testGrandchildHoldingThePipeDoesNotDelayTheResult() throws {
        let process = try runner.spawn(sh("sleep 1000 & echo hi"))
        // Killing the group also releases a collector stuck on the pipe if the test fails.
        defer { kill(-process.processGroup, SIGKILL) }

        let started = ContinuousClock.now
        let output = try completes(within: 3) { process.collectOutput() }

        XCTAssertLessThan(ContinuousClock.now - started, .seconds(3))
        XCTAssertEqual(output.stdoutText, "hi\n")
        XCTAssertEqual(output.exit, .terminated(0))
        XCTAssertFalse(output.timedOut)
        XCTAssertFalse(
            liveProcesses(inGroup: process.processGroup).isEmpty,
            "the background sleep should still be holding the pipe, or this test proves nothing")
    }

    func testTerminateKillsAChildThatIgnoresSIGTERM() throws {
        let process = try runner.spawn(sh("trap '' TERM; sleep 1000"))
        defer { kill(-process.processGroup, SIGKILL) }
        XCTAssertTrue(waitUntil { self.ignoresSIGTERM(process.pid) }, "the shell never installed its trap")

        let started = ContinuousClock.now
        let status = try completes(within: 4) { process.terminate(grace: .milliseconds(500)) }
        let elapsed = ContinuousClock.now - started

        XCTAssertEqual(status, .signalled(SIGKILL))
        XCTAssertEqual(status.description, "killed by SIGKILL")
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(500), "SIGKILL came before the grace period ended")
        XCTAssertLessThan(elapsed, .seconds(3))
        XCTAssertEqual(liveProcesses(inGroup: process.processGroup), [])
    }

    func testTerminateAlsoKillsDescendantsThatLeftTheGroup() throws {
        let process = try runner.spawn(sh("setsid sleep 1000 & exec sleep 1000"))
        defer { kill(-process.processGroup, SIGKILL) }
        var escaped: ProcessTree.Entry?
        XCTAssertTrue(
            waitUntil {
                escaped = ProcessTree.descendants(of: process.pid).compactMap(ProcessTree.entry(for:))
                    .first { $0.session == $0.pid && $0.command == "sleep" }
                return escaped != nil
            }, "the setsid'd grandchild was not found among the descendants")
        let grandchild = try XCTUnwrap(escaped)
        defer { kill(grandchild.pid, SIGKILL) }
        XCTAssertNotEqual(grandchild.processGroup, process.processGroup)
        XCTAssertEqual(ProcessTree.commandLine(of: grandchild.pid), ["sleep", "1000"])

        XCTAssertEqual(try completes(within: 5) { process.terminate(grace: .seconds(2)) }, .signalled(SIGTERM))
        XCTAssertFalse(ProcessTree.isAlive(grandchild.pid), "the escaped grandchild survived terminate")
    }

    // MARK: - Capture

    func testCapturesLargeOutputFullyAndTruncatesAtTheCap() throws {
        let full = try runner.run(sh("yes | head -c 1000000", deadline: .now + .seconds(10)))
        XCTAssertEqual(full.stdout.count, 1_000_000)
        XCTAssertEqual(Array(full.stdout.prefix(4)), Array("y\ny\n".utf8))
        XCTAssertFalse(full.stdoutTruncated)
        XCTAssertEqual(full.exit, .terminated(0))

        var capped = sh("yes | head -c 1000000", deadline: .now + .seconds(10))
        capped.standardOutput = .capture(limit: 65536)
        let output = try runner.run(capped)
        XCTAssertEqual(output.stdout.count, 65536)
        XCTAssertTrue(output.stdoutTruncated)
        XCTAssertFalse(output.timedOut, "the child blocked on a full pipe")
        XCTAssertEqual(output.exit, .terminated(0), "head must have written everything")
    }

    func testLargeOutputOnBothStreamsDoesNotDeadlock() throws {
        let (runner, request) = (
            runner,
            sh(
                "head -c 1000000 /dev/zero >&2 & head -c 1000000 /dev/zero; wait",
                deadline: .now + .seconds(10))
        )
        let output = try completes(within: 15) { try runner.run(request) }
        XCTAssertFalse(output.timedOut)
        XCTAssertEqual(output.stdout.count, 1_000_000)
        XCTAssertEqual(output.stderr.count, 1_000_000)
        XCTAssertEqual(output.exit, .terminated(0))
    }

    // MARK: - What the child inherits

    func testChildGetsEmptySignalMaskAndDefaultDispositions() throws {
        var blockTerm = sigset_t()
        sigemptyset(&blockTerm)
        sigaddset(&blockTerm, SIGTERM)
        var previousMask = sigset_t()
        pthread_sigmask(SIG_BLOCK, &blockTerm, &previousMask)
        let previousInt = signal(SIGINT, SIG_IGN)
        defer {
            signal(SIGINT, previousInt)
            pthread_sigmask(SIG_SETMASK, &previousMask, nil)
        }
        let parent = try signalMasks(of: "/proc/thread-self/status")
        XCTAssertNotEqual(parent["SigBlk"], 0, "setup: the test thread should block SIGTERM")
        XCTAssertNotEqual(parent["SigIgn"], 0, "setup: the test process should ignore SIGINT")

        let output = try runner.run(ProcessRequest("grep", arguments: ["-E", "SigBlk|SigIgn", "/proc/self/status"]))
        let child = try signalMasks(in: output.stdoutText)
        XCTAssertEqual(child["SigBlk"], 0)
        XCTAssertEqual(child["SigIgn"], 0)
    }

    func testChildHasItsOwnProcessGroupAndNoExtraDescriptors() throws {
        let scratch = open("/dev/null", O_RDONLY)
        let leaked = fcntl(scratch, F_DUPFD, 50)  // deliberately without FD_CLOEXEC
        close(scratch)
        defer { close(leaked) }
        XCTAssertGreaterThanOrEqual(leaked, 50)
        XCTAssertEqual(fcntl(leaked, F_GETFD) & FD_CLOEXEC, 0)

        let listing = try runner.run(ProcessRequest("ls", arguments: ["/proc/self/fd"]))
        // 0, 1, 2 and the directory ls itself opened to list /proc/self/fd.
        XCTAssertEqual(Set(listing.stdoutText.split(separator: "\n")), ["0", "1", "2", "3"])

        let process = try runner.spawn(ProcessRequest("sleep", arguments: ["1000"]))
        defer { _ = process.terminate(grace: .seconds(1)) }
        let entry = try XCTUnwrap(ProcessTree.entry(for: process.pid))
        XCTAssertEqual(process.processGroup, process.pid)
        XCTAssertEqual(entry.processGroup, process.pid)
        XCTAssertEqual(entry.session, getsid(0), "a new group, not a new session")
    }

    func testNewSessionGrouping() throws {
        let process = try runner.spawn(ProcessRequest("sleep", arguments: ["1000"], grouping: .newSession))
        defer { _ = process.terminate(grace: .seconds(1)) }
        let entry = try XCTUnwrap(ProcessTree.entry(for: process.pid))
        XCTAssertEqual(entry.session, process.pid)
        XCTAssertEqual(entry.processGroup, process.pid)
    }

    func testWorkingDirectoryAndEnvironmentAreApplied() throws {
        let directory = try temporaryDirectory()
        let output = try runner.run(
            ProcessRequest(
                "sh", arguments: ["-c", "pwd; echo \"$FOO\""],
                environment: searchPath.merging(["FOO": "bar baz"]) { $1 },
                workingDirectory: directory))
        XCTAssertEqual(output.stdoutText, "\(directory)\nbar baz\n")

        // The environment is exactly what was given: nothing leaks in from the test process.
        let env = try runner.run(ProcessRequest("env", environment: ["PATH": "/usr/bin:/bin", "FOO": "bar"]))
        XCTAssertEqual(env.stdoutText.split(separator: "\n").sorted(), ["FOO=bar", "PATH=/usr/bin:/bin"])
    }

    func testRelativeProgramPathIsResolvedInTheWorkingDirectory() throws {
        let directory = try temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory + "/bin", withIntermediateDirectories: true)
        try "#!/bin/sh\necho \"ran in $(pwd)\"\n".write(
            toFile: directory + "/bin/tool", atomically: true, encoding: .utf8)
        chmod(directory + "/bin/tool", 0o755)

        let direct = try runner.run(ProcessRequest("./bin/tool", environment: searchPath, workingDirectory: directory))
        XCTAssertEqual(direct.stdoutText, "ran in \(directory)\n")
        let viaPath = try runner.run(
            ProcessRequest("tool", environment: ["PATH": "bin:/usr/bin:/bin"], workingDirectory: directory))
        XCTAssertEqual(viaPath.stdoutText, "ran in \(directory)\n")
    }

    // MARK: - Standard input

    func testStdinBytesAreDelivered() throws {
        let small = try runner.run(ProcessRequest("cat", standardInput: .bytes(Array("hello\n".utf8))))
        XCTAssertEqual(small.stdoutText, "hello\n")

        let big = (0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let echoed = try runner.run(ProcessRequest("cat", standardInput: .bytes(big), deadline: .now + .seconds(10)))
        XCTAssertEqual(echoed.stdout, big)
        XCTAssertFalse(echoed.timedOut)
    }

    func testStdinBytesToAChildThatDoesNotReadThem() throws {
        let flood = [UInt8](repeating: 0x61, count: 4 << 20)  // far beyond the pipe buffer: forces EPIPE
        let ignoring = try runner.run(
            ProcessRequest("true", standardInput: .bytes(flood), deadline: .now + .seconds(10)))
        XCTAssertEqual(ignoring.exit, .terminated(0))
        XCTAssertFalse(ignoring.timedOut)
        XCTAssertLessThan(ignoring.duration, .seconds(3))

        let partial = try runner.run(
            ProcessRequest(
                "head", arguments: ["-c", "10"], standardInput: .bytes(flood),
                deadline: .now + .seconds(10)))
        XCTAssertEqual(partial.stdoutText, "aaaaaaaaaa")
        XCTAssertFalse(partial.timedOut)
    }

    func testStdinFromAFile() throws {
        let path = try temporaryDirectory() + "/input"
        try "from a file\n".write(toFile: path, atomically: true, encoding: .utf8)
        let output = try runner.run(ProcessRequest("cat", standardInput: .file(path)))
        XCTAssertEqual(output.stdoutText, "from a file\n")
    }

    // MARK: - Files, merging, exit statuses

    func testStdoutAppendsToAFileWithStderrMerged() throws {
        let path = try temporaryDirectory() + "/round.log"
        try "old\n".write(toFile: path, atomically: true, encoding: .utf8)
        var request = sh("echo out; echo err >&2")
        request.standardOutput = .appendToFile(path)
        request.standardError = .mergeIntoStandardOutput
        let output = try runner.run(request)
        XCTAssertEqual(output.exit, .terminated(0))
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "old\nout\nerr\n")
        XCTAssertEqual(output.stdout, [])
    }

    func testExitStatuses() throws {
        let three = try runner.run(sh("exit 3"))
        XCTAssertEqual(three.exit, .terminated(3))
        XCTAssertEqual(three.exit.description, "exit 3")
        XCTAssertFalse(three.exit.isSuccess)

        let killed = try runner.run(sh("kill -9 $$"))
        XCTAssertEqual(killed.exit, .signalled(9))
        XCTAssertEqual(killed.exit.description, "killed by SIGKILL")

        XCTAssertTrue(try runner.run(sh("true")).exit.isSuccess)
    }

    // MARK: - Start failures

    func testMissingExecutableFailsClearlyWithoutLeaks() throws {
        _ = try runner.run(sh("true"))  // warm up lazily opened descriptors
        let descriptorsBefore = try openDescriptorCount()
        let childrenBefore = childrenOfThisProcess()

        XCTAssertThrowsError(try runner.spawn(ProcessRequest("claud-xyz", environment: searchPath))) { error in
            let failure = error as? ProcessError
            XCTAssertEqual(failure?.kind, .notFound)
            XCTAssertEqual(
                failure?.message,
                "cannot start \"claud-xyz\": not found on PATH (/usr/bin:/bin); install it or use its full path")
        }
        // The child's PATH counts, not the test process's.
        XCTAssertThrowsError(try runner.spawn(ProcessRequest("ls", environment: ["PATH": "/nonexistent"]))) { error in
            XCTAssertEqual((error as? ProcessError)?.kind, .notFound)
        }
        XCTAssertThrowsError(try runner.spawn(ProcessRequest("/no/such/program"))) { error in
            XCTAssertEqual((error as? ProcessError)?.kind, .notFound)
        }

        XCTAssertEqual(try openDescriptorCount(), descriptorsBefore)
        XCTAssertEqual(childrenOfThisProcess(), childrenBefore)
    }

    func testNonExecutableFileFailsClearly() throws {
        let directory = try temporaryDirectory()
        let script = directory + "/tool"
        try "#!/bin/sh\necho hi\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o644)

        XCTAssertThrowsError(try runner.spawn(ProcessRequest(script))) { error in
            let failure = error as? ProcessError
            XCTAssertEqual(failure?.kind, .notExecutable)
            XCTAssertTrue(failure?.message.contains("is not executable; chmod +x it") ?? false, "\(error)")
        }
        XCTAssertThrowsError(try runner.spawn(ProcessRequest("tool", environment: ["PATH": directory]))) { error in
            let failure = error as? ProcessError
            XCTAssertEqual(failure?.kind, .notExecutable)
            XCTAssertTrue(
                failure?.message.contains("found \(script) on PATH but it is not executable") ?? false, "\(error)")
        }
        XCTAssertThrowsError(
            try runner.spawn(ProcessRequest("sleep", arguments: ["1"], workingDirectory: directory + "/missing"))
        ) { error in
            XCTAssertEqual((error as? ProcessError)?.kind, .workingDirectory)
        }
    }

    // MARK: - Hygiene over many spawns

    func testManySequentialSpawnsLeakNoDescriptorsAndNoZombies() throws {
        _ = try runner.run(sh("true"))
        let descriptorsBefore = try openDescriptorCount()

        for round in 0..<200 {
            if round.isMultiple(of: 2) {
                XCTAssertEqual(try runner.run(sh("echo \(round)")).stdoutText, "\(round)\n")
            } else {
                let output = try runner.run(ProcessRequest("cat", standardInput: .bytes(Array("\(round)".utf8))))
                XCTAssertEqual(output.stdoutText, "\(round)")
            }
        }

        XCTAssertEqual(try openDescriptorCount(), descriptorsBefore)
        XCTAssertEqual(childrenOfThisProcess(), [], "zombie or stray children remain")
    }

    /// fleetctl's situation: many threads spawning at once. If one child inherited another
    /// child's pipe end, that capture would only end at its (long) drain period.
    func testConcurrentSpawnsDoNotHoldEachOthersPipes() throws {
        let (runner, environment) = (runner, searchPath)
        let slowest = Mutex<Duration>(.zero)
        let longLived = Mutex<[RunningProcess]>([])
        defer {
            longLived.withLock {
                $0.forEach {
                    _ = try? $0.signal(SIGKILL)
                    _ = $0.wait()
                }
            }
        }
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for round in 0..<15 {
                guard
                    let sleeper = try? runner.spawn(
                        ProcessRequest(
                            "sleep", arguments: ["3"], environment: environment,
                            standardOutput: .discard, standardError: .discard))
                else { return }
                longLived.withLock { $0.append(sleeper) }
                let started = ContinuousClock.now
                let output = try? runner.run(
                    ProcessRequest(
                        "sh", arguments: ["-c", "echo \(worker)-\(round)"],
                        environment: environment, drainAfterExit: .seconds(10)))
                let elapsed = ContinuousClock.now - started
                slowest.withLock { $0 = max($0, output?.stdoutText == "\(worker)-\(round)\n" ? elapsed : .seconds(99)) }
            }
        }
        XCTAssertLessThan(
            slowest.withLock { $0 }, .seconds(1), "a capture waited for another child to release its pipe")
        XCTAssertEqual(longLived.withLock { $0.count }, 60)
    }

    func testDroppedHandleIsStillReaped() throws {
        _ = try runner.spawn(ProcessRequest("sh", arguments: ["-c", "echo dropped"]))
        XCTAssertTrue(waitUntil { self.childrenOfThisProcess().isEmpty }, "the abandoned child was never reaped")
    }

    func testPollAndWaitReapOnce() throws {
        let process = try runner.spawn(sh("exit 7"))
        XCTAssertTrue(waitUntil { process.poll() != nil })
        XCTAssertEqual(process.poll(), .terminated(7))
        XCTAssertEqual(process.wait(), .terminated(7))
        XCTAssertFalse(try process.signal(SIGTERM), "a reaped child must not be signalled")
        XCTAssertEqual(childrenOfThisProcess(), [])
    }

    // MARK: - Helpers

    /// Runs `work` on another thread and fails the test (instead of hanging it) if it does
    /// not finish in time. Callers kill the child's group on exit, which unblocks `work`.
    private func completes<Value: Sendable>(
        within seconds: TimeInterval, file: StaticString = #filePath, line: UInt = #line,
        _ work: @escaping @Sendable () throws -> Value
    ) throws -> Value {
        let result = Mutex<Result<Value, any Error>?>(nil)
        let finished = expectation(description: "finished within \(seconds) s")
        DispatchQueue.global().async {
            let outcome = Result { try work() }
            result.withLock { $0 = outcome }
            finished.fulfill()
        }
        wait(for: [finished], timeout: seconds)
        return try XCTUnwrap(result.withLock { $0 }, "did not finish within \(seconds) s", file: file, line: line).get()
    }

    private func sh(
        _ script: String, deadline: ContinuousClock.Instant? = nil, grace: Duration = .seconds(2)
    ) -> ProcessRequest {
        ProcessRequest(
            "sh", arguments: ["-c", script], environment: searchPath, deadline: deadline, terminationGrace: grace)
    }

    /// Non-zombie processes whose process group is `group`, straight from /proc.
    private func liveProcesses(inGroup group: pid_t) -> [pid_t] {
        ProcessTree.snapshot().filter { $0.processGroup == group && !$0.isZombie }.map(\.pid)
    }

    /// Direct children of the test process, zombies included.
    private func childrenOfThisProcess() -> [pid_t] {
        ProcessTree.snapshot().filter { $0.parent == getpid() }.map(\.pid)
    }

    private func openDescriptorCount() throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
    }

    private func ignoresSIGTERM(_ pid: pid_t) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let ignored = try? signalMasks(in: status)["SigIgn"]
        else { return false }
        return ignored & (1 << (UInt64(SIGTERM) - 1)) != 0
    }

    private func signalMasks(of path: String) throws -> [String: UInt64] {
        try signalMasks(in: String(contentsOfFile: path, encoding: .utf8))
    }

    private func signalMasks(in text: String) throws -> [String: UInt64] {
        var masks: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0] == "SigBlk" || parts[0] == "SigIgn" {
                masks[parts[0]] = try XCTUnwrap(UInt64(parts[1], radix: 16))
            }
        }
        XCTAssertEqual(masks.count, 2, "SigBlk/SigIgn missing in: \(text)")
        return masks
    }

    private func temporaryDirectory() throws -> String {
        let path = URL(fileURLWithPath: NSTemporaryDirectory()).resolvingSymlinksInPath()
            .appendingPathComponent("fleetcore-spawn-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    private func waitUntil(timeout: Duration = .seconds(3), _ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }
}
