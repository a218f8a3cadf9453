import AgentRunnerCore
import FleetCore

/// `agent-runner upgrade`: switch this host to another compiled build, safely.
enum UpgradeCommand {
    static let spec = VerbSpec(
        "upgrade",
        summary: "install a new build side by side, smoke it, switch the command on PATH, restart the service",
        discussion: """
            Builds live side by side in [upgrade] versions_dir (X.Y.Z/agent-runner); the command on
            PATH, [upgrade] bin_link, is a symlink switched atomically. --from reads the new build
            (- = standard input, as fleetctl pushes it over ssh); --sha256 is checked before anything
            else; the version is what the build's --version says (it must equal --target when given).
            Without --from, the build comes from [upgrade] source (a directory or http:// URL with
            {version} and {arch}, beside a SHA256SUMS): no flags takes the latest release listed for
            this host's uname -m, --target X.Y.Z that version (unless it is installed already); it is
            streamed to a staging file, refused unless its sha256 is the listed one and it reports the
            listed version. A missing version, a bad sum, a 404, a timeout or an unreachable server is
            one line, exit 1, and nothing changed.
            With a running user unit or pid-file serve: graceful stop, smoke (--version, then the
            project check 'config --json' with the new build), switch, start, confirm it stays up;
            any failure switches back and starts the old build (service_upgrade_rolled_back; if that
            fails too, service_upgrade_rollback_failed, exit 2). Otherwise (system unit, nothing
            running, --no-restart, no config): smoke and switch only, then the restart command is
            printed (never run, never sudo): package_upgraded. The last keep_versions builds are
            kept; versions_dir/state.json records current and previous for --rollback. One upgrade
            at a time (versions_dir/upgrade.lock). An upgrade cut short (killed, host rebooted) is
            brought to an end by the next one first, from versions_dir/upgrade-in-progress.json:
            finished when bin_link already runs the new build and it passes again, else the old
            build restored (upgrade_recovered). An agent-runner from the Debian package
            (/usr/bin/agent-runner, listed by dpkg) is not upgraded here: it says so, prints the apt
            command, changes nothing and exits 1 (--json: outcome packaged).
            """,
        options: [
            OptionSpec("from", value: "PATH|-", help: "The new build: a file, or - for standard input."),
            OptionSpec(
                "sha256", value: "HEX",
                help: "Refuse the build unless its SHA-256 is HEX (checked before anything changes)."),
            OptionSpec(
                "target", value: "X.Y.Z",
                help: "The version expected from --from; without --from, this installed version, else this "
                    + "version from [upgrade] source."),
            OptionSpec("no-restart", help: "Smoke and switch only; restart the service yourself."),
            OptionSpec(
                "no-migrate",
                help: "Accepted for the runbook's spelling; builds carry no config migration step of their "
                    + "own yet, so there is nothing to skip."),
            OptionSpec("rollback", help: "Switch back to the previous version (from state.json), restarting as above."),
        ],
        exitCodes: [
            (ExitCode.success, "upgraded (or already on that build, or --rollback undid an interrupted upgrade)"),
            (
                ExitCode.failure,
                "nothing changed (sha256 mismatch, not an agent-runner build, version not --target, "
                    + "[upgrade] source: version not listed, 404, timeout, unreachable; stop failed, package smoke failed, "
                    + "another upgrade running, the running agent-runner is the Debian package's), or the upgrade failed and the "
                    + "previous build runs again"
            ),
            (
                2,
                "the rollback failed too, or an interrupted upgrade's old build could not be started again: the service is stopped (the message says what to run)"
            ),
            (ExitCode.usage, "the command line is wrong, or no flags and no [upgrade] source"),
        ])

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        SessionLoss.outlive()
        let request: Upgrader.Request
        do {
            request = try Upgrader.Request(
                from: parsed.value("from"), target: parsed.value("target"), sha256: parsed.value("sha256"),
                noRestart: parsed.has("no-restart"), rollback: parsed.has("rollback"))
        } catch {
            return runner.usageFailure(error, context: context)
        }
        if let packaged = PackagedInstall.owning(RunningExecutable.path(), processes: context.effects.processes) {
            context.stderr.write("agent-runner: \(packaged.upgradeRefusal)\n")
            if parsed.has("json") {
                let report: JSONObject = [
                    "outcome": "packaged", "path": .string(packaged.path),
                    "package_version": packaged.version.map(JSONValue.string) ?? .null,
                    "exit_code": .int(Int64(ExitCode.failure)),
                ]
                context.stdout.write(JSONWriter(style: .pretty(indent: 2)).string(.object(report)) + "\n")
            }
            return ExitCode.failure
        }
        if parsed.has("no-migrate") {
            context.stderr.write(
                "agent-runner: --no-migrate: nothing to skip; builds carry no config migration step "
                    + "of their own yet\n")
        }
        let config = Upgrader.projectConfig(
            at: AgentRunnerProgram.configPath(parsed, context: context),
            environment: context.configEnvironment, fileSystem: context.fileSystem,
            stderr: context.stderr)
        let upgrader = Upgrader(
            project: config, environment: context.environment, home: context.home,
            effects: context.effects, processes: LiveProcessTable(), stderr: context.stderr,
            selfExecutable: RunningExecutable.path(),
            readStandardInput: Upgrader.readAllStandardInput)
        let outcome: Upgrader.Outcome
        do {
            outcome = try upgrader.run(request)
        } catch {
            context.stderr.write("agent-runner: \(error.message)\n")
            return error.exitCode
        }
        if parsed.has("json") {
            let report = outcome.json(binLink: upgrader.binLink)
            context.stdout.write(JSONLines.line(report))
        }
        return outcome.exitCode
    }
}
