import FleetControl
import FleetCore
import Monitoring
import SSHTransport

/// The hosts a verb works on, resolved from the inventory and the command line.
struct FleetTargets {
    var inventory: Inventory
    var hosts: [Inventory.Host]
    /// The selected hosts with their poll targets and policies, in selection order.
    var monitored: [MonitoredHost]
    var targets: [PollTarget] { monitored.map(\.target) }

    /// Loads the inventory and selects hosts (`positional` or `all`, minus `--exclude`).
    /// On failure prints the error and returns the exit code instead.
    static func resolve(
        _ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner, selector: String?, verb: String
    ) -> Result<FleetTargets, ExitFailure> {
        guard let inventory = FleetctlProgram.loadInventory(parsed, context: context, runner: runner) else {
            return .failure(ExitFailure(code: ExitCode.config))
        }
        let hosts: [Inventory.Host]
        do {
            hosts = try HostSelector.select(selector ?? "all", exclude: parsed.allValues("exclude"), from: inventory)
        } catch {
            return .failure(
                ExitFailure(code: runner.usageFailure(UsageError(error.message, verb: verb), context: context)))
        }
        if hosts.isEmpty {
            return .failure(
                ExitFailure(
                    code: runner.usageFailure(
                        UsageError("the selector picks no host (all excluded)", verb: verb), context: context)))
        }
        let controlDirectory = ControlDirectory.defaultPath(environment: context.environment)
        var monitored: [MonitoredHost] = []
        for host in hosts {
            do {
                monitored.append(try MonitoredHost(host, controlDirectory: controlDirectory))
            } catch {
                context.stderr.write("fleetctl: config error: \(inventory.displayPath): \(error.message)\n")
                return .failure(ExitFailure(code: ExitCode.config))
            }
        }
        return .success(FleetTargets(inventory: inventory, hosts: hosts, monitored: monitored))
    }

    /// `--parallel N` (default 32).
    static func parallel(_ parsed: ParsedArguments) throws(UsageError) -> Int {
        try parsed.integer("parallel", minimum: 1) ?? 32
    }

    static func executor(_ context: CommandContext) -> SSHExecutor {
        SSHExecutor(environment: context.environment)
    }
}

struct ExitFailure: Error {
    var code: Int32
}

extension FleetctlProgram {
    static let excludeOption = OptionSpec("exclude", value: "SELECTOR", help: "Leave out these hosts (repeatable).")
    static let parallelOption = OptionSpec("parallel", value: "N", help: "ssh connections at once (default 32).")
    static let selectorPositional = PositionalSpec(
        "SELECTOR", help: "all, a host, @group, a glob, or several joined by commas (default: all).", optional: true)
}
