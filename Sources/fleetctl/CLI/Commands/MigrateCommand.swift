import FleetControl
import FleetCore
import Monitoring
import SSHTransport

/// `fleetctl migrate SELECTOR --artifact PATH`: moves hosts from the original Python 0.3.x to our
/// build, staged like `fleetctl upgrade` (canary, batches, health gates, journal, `--resume`,
/// `--abort`), each failed host put back as it ran (MigrationSteps).
enum MigrateCommand {
    static let spec = VerbSpec(
        "migrate",
        summary: "move hosts from the original Python agent-runner 0.3.x to this build: canary first, then batches",
        discussion: """
            Polls every selected host once and plans the hosts that run the original (schema 2.x peek, no version): \
            canary stage, then batches. For each host: back up what a restore needs (config and .bak files, the \
            project's user units with their enabled/active state, a pid-file serve's command line, directory and \
            environment) into ~/.agent-runner-migration/ID on the host; install the build beside the original \
            (versions folder and --link; the original's files untouched) and check its --version; stop the original \
            gracefully (its round in flight finishes); run our agent-runner migrate on the config (and set [upgrade] \
            bin_link to --link); check our peek reads it; start ours in the original's mode (its systemd user unit \
            through our install, or a pid-file serve with the original's arguments, directory and environment). Then \
            the stage's health gate, as for upgrade. A host whose migration fails is put back at once, exactly as it \
            ran; a failed gate puts back the stage's hosts (unless --no-rollback). Afterwards poll migrated hosts \
            through the link: set agent_runner = "<--link>" for them in the inventory.
            """,
        options: [
            OptionSpec(
                "artifact", value: "PATH",
                help: "The build to install (default: [upgrade] artifact, or --target's build from [upgrade] "
                    + "source, fetched and verified against its SHA256SUMS here; {arch} becomes each host's "
                    + "uname -m)."),
            OptionSpec(
                "target", value: "X.Y.Z",
                help: "The version the build reports (default: what it answers to --version; required for "
                    + "another architecture's build, and with [upgrade] source)."),
            OptionSpec(
                "link", value: "PATH",
                help: "Where ours is linked on each host (default \(MigrationSettings.defaultLink))."),
            OptionSpec(
                "versions-dir", value: "PATH",
                help: "Where builds are kept on each host (default \(MigrationSettings.defaultVersionsDir))."),
            OptionSpec(
                "stop-timeout", value: "DURATION",
                help: "How long the original may take to stop, its round finishing (default 31m)."),
        ]
            + RolloutLaunch.stageOptions + [
                OptionSpec(
                    "gate-interval", value: "DURATION",
                    help: "Time between health samples and stop checks (default 5s)."),
                OptionSpec("dry-run", help: "Print the plan and change nothing."),
                OptionSpec("include-unreachable", help: "Plan hosts that did not answer the poll too."),
                OptionSpec("no-rollback", help: "On a failed gate, leave migrated hosts on ours for inspection."),
                OptionSpec(
                    "resume", value: "ID",
                    help:
                        "Continue a migration fleetctl did not finish (hosts left mid-way are put back, then migrated)."
                ),
                OptionSpec(
                    "abort", value: "ID",
                    help: "Put the original back on every host a migration touched and mark it aborted."),
                WatchCommand.stateDirOption, FleetctlProgram.excludeOption, FleetctlProgram.parallelOption,
            ],
        positionals: [RolloutLaunch.selector],
        exitCodes: [
            (ExitCode.success, "the migration finished (or the dry run / abort completed)"),
            (
                ExitCode.failure,
                "the migration failed: a host failed and was put back, a gate failed, or a restore failed"
            ),
            (ExitCode.usage, "the command line, the selector or the rollout id is wrong"),
            (ExitCode.config, "the inventory is missing, unreadable or invalid"),
        ])

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        let resolved: FleetTargets
        switch RolloutLaunch.select(parsed, context: context, runner: runner, verb: spec.name) {
        case .hosts(let value, _): resolved = value
        case .finished(let code): return code
        }
        let request: UpgradeCommand.Request
        var migration = MigrationSettings()
        do {
            request = try UpgradeCommand.Request(parsed, inventory: resolved.inventory, verb: spec.name)
            migration.link = parsed.value("link") ?? migration.link
            migration.versionsDir = parsed.value("versions-dir") ?? migration.versionsDir
            migration.stopTimeoutS = try parsed.seconds("stop-timeout") ?? migration.stopTimeoutS
        } catch {
            return runner.usageFailure(error, context: context)
        }
        var settings = request.settings
        settings.migration = migration
        let launch = RolloutLaunch(parsed, context: context, runner: runner, resolved: resolved, kind: .migration)
        do {
            guard
                let (finished, reporter) = try launch.start(
                    settings: settings, request: request,
                    idle: { _ in "nothing to migrate: no selected host runs the original" })
            else { return ExitCode.success }
            let migrated = finished.stages.flatMap { $0 }.filter { finished.hosts[$0] == .healthy }
            if !migrated.isEmpty && finished.status == .finished {
                reporter.step(
                    "next", rollout: finished.id,
                    ["hosts": .array(migrated.map(JSONValue.string)), "agent_runner": .string(migration.link)],
                    text: "next: set agent_runner = \"\(migration.link)\" for "
                        + "\(migrated.joined(separator: ", ")) in the inventory")
            }
            return UpgradeCommand.exit(RolloutOutcome.of(finished), context: context)
        } catch {
            return error.code
        }
    }
}
