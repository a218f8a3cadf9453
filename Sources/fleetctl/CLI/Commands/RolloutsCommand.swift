import FleetControl
import FleetCore
import Monitoring

/// `fleetctl rollouts`: the recorded rollouts, oldest first.
enum RolloutsCommand {
    static let spec = VerbSpec(
        "rollouts", summary: "list the rollouts recorded in the state directory",
        discussion:
            "One line per rollout journal in <state dir>/rollouts: id, status, target, stage reached and host states (the whole journal per line with --json).",
        options: [WatchCommand.stateDirOption],
        exitCodes: [
            (ExitCode.success, "listed (possibly none)"), (ExitCode.usage, "the command line is wrong"),
            (ExitCode.config, "the inventory is invalid"),
        ])

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        var inventoryStateDir: String?
        if parsed.value("state-dir") == nil {
            let path = FleetctlProgram.inventoryPath(parsed, context: context)
            if Directories.exists(path) {
                guard let inventory = FleetctlProgram.loadInventory(parsed, context: context, runner: runner) else {
                    return ExitCode.config
                }
                inventoryStateDir = inventory.fleet.stateDir
            }
        }
        let stateDir = StateDirectory.resolve(
            flag: parsed.value("state-dir"), inventory: inventoryStateDir, environment: context.environment,
            home: context.home)
        let journals = RolloutJournalStore(stateDirectory: stateDir).list()
        for journal in journals {
            if parsed.has("json") {
                context.stdout.write(JSONWriter(style: .compact).string(journal.json) + "\n")
                continue
            }
            let counts = Dictionary(grouping: journal.hosts.values, by: \.rawValue).mapValues(\.count)
            let stage =
                journal.currentStage < journal.stageLabels.count ? journal.stageLabels[journal.currentStage] : "done"
            context.stdout.write(
                "\(journal.id)  \(journal.status.rawValue)  \(journal.target)  \(stage)  "
                    + counts.keys.sorted().map { "\(counts[$0] ?? 0) \($0)" }.joined(separator: ", ") + "\n")
        }
        if journals.isEmpty && !parsed.has("json") {
            context.stderr.write("fleetctl: no rollouts in \(stateDir)/rollouts\n")
        }
        return ExitCode.success
    }
}
