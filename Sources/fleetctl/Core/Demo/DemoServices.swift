import FleetCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The `agent-runner serve` of every demo host, each in its own session with its output in its
/// log dir: started one by one, watched for ending by themselves (the crash-loop breaker, an
/// auto-stop), and stopped together so the demo leaves nothing running.
public final class DemoServices: Sendable {
    /// A service that ended by itself while the demo ran.
    public struct Exit: Sendable, Equatable {
        public var host: String
        public var status: ExitStatus

        /// What the exit means for the demo's audience.
        public var meaning: String {
            switch status {
            case .terminated(ExitCode.crashLoop): return "crash_loop breaker: 5 short crashes in a row"
            case .terminated(ExitCode.success): return "stopped cleanly"
            case .terminated(ExitCode.config): return "config_broken"
            default: return status.description
            }
        }

        /// `crashloop: agent-runner serve exited (exit 75, crash_loop breaker: ...)`.
        public var line: String {
            "\(host): agent-runner serve exited (\(status), \(meaning))"
        }

        /// The `--json` line: `{type: "serve_exit", host, status, meaning}`.
        public var json: JSONObject {
            [
                "type": "serve_exit", "host": .string(host), "status": .string(status.description),
                "meaning": .string(meaning),
            ]
        }
    }

    private let started = Mutex<[(host: DemoFleet.Host, process: RunningProcess)]>([])
    private let reported = Mutex(Set<String>())

    public init() {}

    /// The services started so far, in start order.
    public var services: [(host: DemoFleet.Host, process: RunningProcess)] {
        started.withLock { $0 }
    }

    /// Starts `agentRunner serve --config <host>` for `host`, in its own session.
    public func start(_ host: DemoFleet.Host, agentRunner: String, runner: any ProcessRunner) throws(DemoError) {
        Directories.create(host.logDir)
        do {
            let process = try runner.spawn(
                ProcessRequest(
                    agentRunner, arguments: ["serve", "--config", host.configPath], workingDirectory: host.directory,
                    standardOutput: .appendToFile(host.logDir + "/serve.log"), standardError: .mergeIntoStandardOutput,
                    grouping: .newSession))
            started.withLock { $0.append((host, process)) }
        } catch {
            throw DemoError("cannot start agent-runner serve for \(host.name): \(error)")
        }
    }

    /// The services that ended since the last call (each reported once).
    public func newExits() -> [Exit] {
        var exits: [Exit] = []
        for (host, process) in services {
            guard let status = process.poll() else { continue }
            if reported.withLock({ $0.insert(host.name).inserted }) {
                exits.append(Exit(host: host.name, status: status))
            }
        }
        return exits
    }

    /// SIGTERM to every serve (they finish their round), then SIGKILL to whatever is left of
    /// each session after 10 s, and to a straggling agent of a stopped serve.
    public func stopAll(clock: any MonotonicClock, warn: (String) -> Void) {
        let services = self.services
        for (_, process) in services { _ = try? process.signal(SIGTERM) }
        clock.sleep(until: clock.now + .seconds(10), tick: .milliseconds(100)) {
            !services.contains { $0.process.poll() == nil }
        }
        for (host, process) in services {
            if process.poll() == nil {
                warn("\(host.name) did not stop in 10 s; killing it")
                _ = process.terminate(grace: .seconds(1))
            }
            // The agent of a stopped serve has exited with its round; kill any straggler of the session.
            if let agentPID = try? PidFile(path: host.logDir + "/agent.pid").runningPID() {
                kill(-agentPID, SIGKILL)
            }
        }
    }
}
