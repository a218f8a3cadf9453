import AgentRunnerCore
import FleetCore

/// `install` / `uninstall`: the project's systemd units.
enum InstallCommand {
    static let spec = VerbSpec(
        "install",
        summary: "write and enable the systemd unit agent-runner@<project>.service (user mode: also start it)",
        discussion: """
            User mode (the default; --user says so) writes
            ~/.config/systemd/user/agent-runner@<project>.service and runs
            systemctl --user daemon-reload, enable and start. It needs a user manager
            (XDG_RUNTIME_DIR) and should have lingering on; what is missing is said before anything
            is written, with the command that fixes it. --system (as root, through sudo -E) writes
            /etc/systemd/system with User=/Group= of SUDO_USER and enables it without starting it.
            The unit runs the upgrade symlink ([upgrade] bin_link) when it exists, else this build;
            an agent-runner from the Debian package (/usr/bin/agent-runner) runs itself, and the
            package manager upgrades it (the apt command is printed).
            Restart=on-failure, never after exit 78, 75 or 70; KillMode=mixed so SIGTERM reaches
            serve only and the round finishes; TimeoutStopSec = the round's worst case.
            """,
        options: [
            OptionSpec("monitor", help: "Also install agent-runner-monitor@<project>.service."),
            OptionSpec("user", help: "A user unit in ~/.config/systemd/user, started now (the default mode)."),
            OptionSpec(
                "system",
                help: "A system unit in /etc/systemd/system (root; User= from SUDO_USER); enabled, not started."),
            OptionSpec("force", help: "Overwrite a unit that manages a different project folder."),
        ],
        exitCodes: [
            (ExitCode.success, "the units were written and enabled (user mode: started)"),
            (
                ExitCode.failure,
                "a prerequisite is missing (user manager, root/SUDO_USER), a unit manages another project, or systemctl failed"
            ),
            (ExitCode.usage, "the command line is wrong"),
            (ExitCode.config, "the configuration is invalid, or the project name cannot name a unit"),
        ])

    static let uninstallSpec = VerbSpec(
        "uninstall", summary: "stop, disable and remove the project's systemd units",
        discussion: """
            For each installed user unit (serve, then monitor): systemctl --user --no-block stop,
            up to 5 s for it to go inactive (a round still draining finishes in the background),
            disable, delete the file; then daemon-reload. A system unit is removed the same way
            when run as root; otherwise the sudo commands are printed and nothing is done.
            """,
        exitCodes: [
            (ExitCode.success, "the units were removed, or none was installed"),
            (ExitCode.failure, "a system unit needs root (the message has the commands), or systemctl failed"),
            (ExitCode.usage, "the command line is wrong"),
            (ExitCode.config, "the configuration is invalid"),
        ])

    static func installer(_ setup: LifecycleSetup, context: CommandContext) -> ServiceInstaller {
        let running = RunningExecutable.path()
        let packaged = PackagedInstall.owning(running, processes: context.effects.processes)
        return ServiceInstaller(
            paths: setup.paths, config: setup.config, effects: context.effects,
            environment: context.environment,
            executable: packaged?.path ?? RunningExecutable.forUnits(binLink: setup.config.upgrade.binLink))
    }

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        SessionLoss.outlive()
        let options: ServiceInstaller.Options
        do {
            options = try ServiceInstaller.Options(
                monitor: parsed.has("monitor"), user: parsed.has("user"),
                system: parsed.has("system"), force: parsed.has("force"))
        } catch {
            return runner.usageFailure(error, context: context)
        }
        let setup: LifecycleSetup
        switch LifecycleSetup.load(parsed, context: context, runner: runner) {
        case .success(let loaded): setup = loaded
        case .failure(let failure): return failure.code
        }
        let result: ServiceInstaller.InstallResult
        do {
            result = try installer(setup, context: context).install(options)
        } catch {
            context.stderr.write("agent-runner: \(error.message)\n")
            return error.exitCode
        }
        for warning in result.warnings { context.stderr.write("agent-runner: warning: \(warning)\n") }
        context.stderr.write(
            "agent-runner: installed \(result.unitPath)\(result.monitorUnitPath.map { " and \($0)" } ?? "") (enabled\(result.started ? ", started" : ""))\n"
        )
        if let next = result.next { context.stderr.write("agent-runner: next: \(next)\n") }
        if let packaged = PackagedInstall.owning(RunningExecutable.path(), processes: context.effects.processes) {
            context.stderr.write(
                "agent-runner: the unit runs \(packaged.path), from \(packaged.description): the package manager "
                    + "upgrades it, not agent-runner upgrade: \(packaged.upgradeCommands)\n")
        }
        if parsed.has("json") {
            let object = JSONObject([
                ("unit_path", .string(result.unitPath)),
                ("monitor_unit_path", result.monitorUnitPath.map(JSONValue.string) ?? .null),
                ("enabled", .bool(result.enabled)), ("started", .bool(result.started)),
            ])
            context.stdout.write(JSONLines.line(.object(object)))
        }
        return ExitCode.success
    }

    static func runUninstall(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        SessionLoss.outlive()
        let setup: LifecycleSetup
        switch LifecycleSetup.load(parsed, context: context, runner: runner) {
        case .success(let loaded): setup = loaded
        case .failure(let failure): return failure.code
        }
        do {
            let result = try installer(setup, context: context).uninstall()
            if result.removed.isEmpty {
                context.stderr.write("agent-runner: no unit installed for \(setup.paths.project)\n")
            } else {
                context.stderr.write("agent-runner: removed \(result.removed.joined(separator: " and "))\n")
            }
            return ExitCode.success
        } catch {
            context.stderr.write("agent-runner: \(error.message)\n")
            return error.exitCode
        }
    }
}
