import FleetControl
import FleetCore
import Monitoring

/// `fleetctl hosts [SELECTOR]`: lists the hosts a selector picks, to try a selector before
/// using it with a verb that changes something.
enum HostsCommand {
    static let spec = VerbSpec(
        "hosts", summary: "list the hosts a selector picks (default: all)",
        discussion: "SELECTOR is all, a host name, @group, a glob such as 'pi-*', or several joined by commas.",
        options: [OptionSpec("exclude", value: "SELECTOR", help: "Leave out these hosts (repeatable).")],
        positionals: [PositionalSpec("SELECTOR", help: "Which hosts (default: all).", optional: true)],
        exitCodes: [
            (ExitCode.success, "listed"),
            (ExitCode.usage, "the command line or the selector is wrong"),
            (ExitCode.config, "the inventory is missing, unreadable or invalid"),
        ])

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        guard let inventory = FleetctlProgram.loadInventory(parsed, context: context, runner: runner) else {
            return ExitCode.config
        }
        let hosts: [Inventory.Host]
        do {
            hosts = try HostSelector.select(
                parsed.positionals.first ?? "all", exclude: parsed.allValues("exclude"), from: inventory)
        } catch {
            return runner.usageFailure(UsageError(error.message, verb: spec.name), context: context)
        }
        if parsed.has("json") {
            for host in hosts {
                context.stdout.write(JSONWriter(style: .compact).string(host.json()) + "\n")
            }
        } else {
            let width = (hosts.map(\.name.count).max() ?? 4) + 2
            for host in hosts {
                let name = host.name + String(repeating: " ", count: max(1, width - host.name.count))
                context.stdout.write(
                    "\(name)\(host.sshTarget)\t\(host.groups.map { "@" + $0 }.joined(separator: ","))\n")
            }
        }
        return ExitCode.success
    }
}
