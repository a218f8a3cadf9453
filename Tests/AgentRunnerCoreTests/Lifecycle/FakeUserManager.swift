import FleetCore
import Synchronization
import TestSupport

/// `systemctl --user` for one unit, answered from memory on a ``FakeClock``: `stop` drains for
/// ``stopDrain`` (the round finishing) before the unit is inactive, `start` runs whatever build
/// bin_link points at, and a build marked `serve=dies` is active for a second and then failed.
/// Every command line is recorded, so a test asserts the exact conversation with systemd.
final class FakeUserManager: Sendable {
    private struct State {
        var activeState: String
        var stopsAt: ContinuousClock.Instant?
        var diesAt: ContinuousClock.Instant?
        var commands: [String] = []
    }

    let clock: FakeClock
    /// What the unit's ExecStart runs.
    let binLink: String
    /// How long a stop takes (the round in flight finishing).
    let stopDrain: Duration
    /// Whether `kill --signal=SIGTERM` stops it (false: a serve that ignores SIGTERM).
    let obeysTERM: Bool
    private let state: Mutex<State>

    init(
        clock: FakeClock, binLink: String, activeState: String = "active", stopDrain: Duration = .zero,
        obeysTERM: Bool = true
    ) {
        self.clock = clock
        self.binLink = binLink
        self.stopDrain = stopDrain
        self.obeysTERM = obeysTERM
        state = Mutex(State(activeState: activeState))
    }

    /// Every `systemctl` command line, `is-active` polls included.
    var commands: [String] { state.withLock { $0.commands } }

    /// The command lines that change something (every `is-active` poll left out).
    var actions: [String] { commands.filter { !$0.contains(" is-active ") } }

    /// Answers `systemctl ARGUMENTS`.
    func answer(_ arguments: [String]) -> ProcessOutput {
        let now = clock.now
        let command = (["systemctl"] + arguments).joined(separator: " ")
        let verb = arguments.drop { $0.hasPrefix("--") }.first ?? ""
        let startedBuild = verb == "start" ? Self.buildText(at: binLink) : ""
        return state.withLock { state in
            state.commands.append(command)
            if let stopsAt = state.stopsAt, now >= stopsAt {
                state.activeState = "inactive"
                state.stopsAt = nil
            }
            if let diesAt = state.diesAt, now >= diesAt {
                state.activeState = "failed"
                state.diesAt = nil
            }
            switch verb {
            case "is-active":
                return .finished(state.activeState == "active" ? 0 : 3, stdout: state.activeState + "\n")
            case "stop":
                if state.activeState == "active" {
                    state.activeState = "deactivating"
                    state.stopsAt = now + stopDrain
                }
            case "start":
                state.activeState = "active"
                state.diesAt = startedBuild.contains("serve=dies") ? now + .seconds(1) : nil
            case "kill":
                if arguments.contains("--signal=SIGKILL") || obeysTERM {
                    state.activeState = "failed"
                    state.stopsAt = nil
                } else {
                    state.activeState = "deactivating"
                }
            default:
                break
            }
            return .finished(0)
        }
    }

    /// The text of the build at `path` (a stand-in build is a small text file), empty when none.
    static func buildText(at path: String) -> String {
        (try? LocalFileSystem().readFile(path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}
