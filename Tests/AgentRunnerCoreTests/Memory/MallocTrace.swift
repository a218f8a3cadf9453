import FleetCore
import Glibc
import XCTest

/// Counts the `malloc`s a piece of code makes, with glibc's own tracer: `mtrace(3)` from
/// `libc_malloc_debug.so` (glibc 2.34+ keeps the tracer there; it needs `LD_PRELOAD`).
///
/// The parent test runs this test binary again for one probe test method, with the tracer
/// preloaded and `MALLOC_TRACE` naming a file; the probe warms up, traces its loop, and the
/// parent counts the allocation lines (`+` malloc, `>` realloc) in the trace. Every allocation
/// counts, C and Swift alike (Swift objects come from `swift_slowAlloc` → `malloc`).
///
/// (Swapping the Swift runtime's `_swift_allocObject` hook for a counting function crashed the
/// process under Foundation, apparently because the runtime calls it with a register-preserving
/// convention a Swift or C function does not honour; glibc's tracer has no such catch.)
enum MallocTrace {
    static let probeVariable = "AGENT_RUNNER_MALLOC_PROBE"
    static let probeTest = "AgentRunnerCoreTests.MemoryParsingAllocationTests/testMallocProbe"

    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs the probe `mode` in a child and returns how many allocations its traced loop made:
    /// the fewest of up to three runs. An allocation per sample shows 10,000 times in every run;
    /// the tracer also sees the rest of the child (XCTest's own threads allocated once or twice
    /// in a traced loop on a loaded machine), which a clean second run rules out.
    static func allocations(probe mode: String) throws -> Int {
        var fewest = Int.max
        for _ in 0..<3 where fewest > 0 {
            fewest = min(fewest, try tracedRun(probe: mode))
        }
        return fewest
    }

    private static func tracedRun(probe mode: String) throws -> Int {
        guard let executable = LocalFileSystem().resolveSymlinks("/proc/self/exe") else { throw Unavailable(description: "cannot resolve /proc/self/exe") }
        let directory = try temporaryDirectory()
        defer { _ = try? PosixProcessRunner().run(ProcessRequest("/bin/rm", arguments: ["-rf", directory])) }
        let trace = directory + "/malloc.trace"
        var environment = ProcessRequest.currentEnvironment()
        environment["LD_PRELOAD"] = "libc_malloc_debug.so.0"
        environment["MALLOC_TRACE"] = trace
        environment[probeVariable] = mode
        let output = try PosixProcessRunner().run(ProcessRequest(
            executable, arguments: [probeTest], environment: environment,
            standardOutput: .capture(), standardError: .mergeIntoStandardOutput, deadline: .now + .seconds(120)))
        guard output.exit.isSuccess else {
            XCTFail("the probe \(mode) failed (\(output.exit)):\n\(output.stdoutText.suffix(3000))")
            return -1
        }
        guard let bytes = try? LocalFileSystem().readFile(trace, limit: 256 << 20) else {
            throw Unavailable(description: "no malloc trace written (is libc_malloc_debug.so.0 installed? glibc 2.34+)")
        }
        var count = 0
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.contains(" + 0x") || line.contains(" > 0x") {
            count += 1
        }
        return count
    }

    /// In the probe: runs `body` with the tracer on. False when the tracer is not loaded.
    static func traced(_ body: () -> Void) -> Bool {
        typealias VersionedSymbol = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>, UnsafePointer<CChar>) -> UnsafeMutableRawPointer?
        typealias Toggle = @convention(c) () -> Void
        guard let lookup = dlsym(nil, "dlvsym"), let library = dlopen("libc_malloc_debug.so.0", RTLD_NOW | RTLD_NOLOAD) else { return false }
        let dlvsym = unsafeBitCast(lookup, to: VersionedSymbol.self)
        // The tracer's symbols are compat versions (`mtrace@GLIBC_2.2.5`): dlsym cannot see them.
        guard let on = dlvsym(library, "mtrace", "GLIBC_2.2.5"), let off = dlvsym(library, "muntrace", "GLIBC_2.2.5") else { return false }
        unsafeBitCast(on, to: Toggle.self)()
        body()
        unsafeBitCast(off, to: Toggle.self)()
        return true
    }

    private static func temporaryDirectory() throws -> String {
        var template = Array("/tmp/malloc-trace-XXXXXX".utf8CString)
        guard let path = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw Unavailable(description: "mkdtemp failed: \(SystemError.text(errno))")
        }
        return String(cString: path)
    }
}
