import FleetControl
import FleetCore
import Monitoring

/// fleetctl's verbs and their dispatch.
enum FleetctlProgram {
    static let inventoryOption = OptionSpec(
        "inventory", short: "i", value: "PATH",
        help: "The inventory file (default: $FLEETCTL_INVENTORY, else ./inventory.toml).")
    static let jsonOption = OptionSpec("json", help: "Machine-readable output on stdout.")

    static let spec = ProgramSpec(
        name: "fleetctl", version: BuildInfo.version,
        summary: "watches and steers a fleet of agent-runner hosts over ssh",
        globalOptions: [inventoryOption, jsonOption, OptionSpec("version", help: "Print the version and exit.")],
        verbs: [
            CheckCommand.spec, HostsCommand.spec, StatusCommand.spec, WatchCommand.spec, PeekCommand.spec,
            EventsCommand.spec,
            ActionCommand.spec("stop"), ActionCommand.spec("start"), ActionCommand.spec("restart"),
            ActionCommand.spec("kill"),
            SilenceCommand.spec, SilenceCommand.listSpec, SilenceCommand.removeSpec, UpgradeCommand.spec,
            MigrateCommand.spec, RolloutsCommand.spec,
            DemoCommand.spec, InitInventoryCommand.spec,
        ])

    static func main(_ arguments: [String], context: CommandContext) -> Int32 {
        let runner = ProgramRunner(program: spec)
        return runner.run(arguments, context: context) { parsed, context in
            switch parsed.verb {
            case CheckCommand.spec.name: return CheckCommand.run(parsed, context: context, runner: runner)
            case HostsCommand.spec.name: return HostsCommand.run(parsed, context: context, runner: runner)
            case StatusCommand.spec.name: return StatusCommand.run(parsed, context: context, runner: runner)
            case WatchCommand.spec.name: return WatchCommand.run(parsed, context: context, runner: runner)
            case PeekCommand.spec.name: return PeekCommand.run(parsed, context: context, runner: runner)
            case EventsCommand.spec.name: return EventsCommand.run(parsed, context: context, runner: runner)
            case let verb where FleetAction.verbs.contains(verb):
                return ActionCommand.run(verb, parsed, context: context, runner: runner)
            case SilenceCommand.spec.name: return SilenceCommand.add(parsed, context: context, runner: runner)
            case SilenceCommand.listSpec.name: return SilenceCommand.list(parsed, context: context, runner: runner)
            case SilenceCommand.removeSpec.name: return SilenceCommand.remove(parsed, context: context, runner: runner)
            case UpgradeCommand.spec.name: return UpgradeCommand.run(parsed, context: context, runner: runner)
            case MigrateCommand.spec.name: return MigrateCommand.run(parsed, context: context, runner: runner)
            case RolloutsCommand.spec.name: return RolloutsCommand.run(parsed, context: context, runner: runner)
            case DemoCommand.spec.name: return DemoCommand.run(parsed, context: context, runner: runner)
            case InitInventoryCommand.spec.name:
                return InitInventoryCommand.run(parsed, context: context, runner: runner)
            default: return runner.usageFailure(UsageError("unknown verb '\(parsed.verb)'"), context: context)
            }
        }
    }

    /// The inventory in force: `--inventory`, else `$FLEETCTL_INVENTORY`, else `./inventory.toml`.
    static func inventoryPath(_ parsed: ParsedArguments, context: CommandContext) -> String {
        parsed.value("inventory") ?? context.environment["FLEETCTL_INVENTORY"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "inventory.toml"
    }

    /// The inventory loader for `context` (its files, and `$XDG_STATE_HOME` for default state directories).
    static func inventoryLoader(_ context: CommandContext) -> InventoryLoader {
        InventoryLoader(
            environment: context.configEnvironment, fileSystem: context.fileSystem,
            stateHome: StateDirectory.home(environment: context.environment, home: context.home))
    }

    /// Loads the inventory or prints the error; nil means "return ExitCode.config".
    static func loadInventory(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Inventory? {
        let loader = inventoryLoader(context)
        do {
            return try loader.load(path: inventoryPath(parsed, context: context))
        } catch {
            _ = runner.configFailure(error, context: context)
            return nil
        }
    }
}
