import AgentRunnerCore
import FleetCore

/// `agent-runner migrate`: rewrites the old spellings of an agent-runner.toml in place.
enum MigrateCommand {
    static let spec = VerbSpec(
        "migrate", summary: "rewrite a 0.2.x/0.3.x agent-runner.toml to the current key names, keeping its comments",
        discussion: """
            Rewrites what the original agent-runner's migrate rewrites (round_timeout_s and
            round_budget_s, rate_limit_action, flat [monitor.host_health] keys, disable_pre_round_hooks
            where it skips nothing, the dropped [plugins] keys, one-word strings where a list is due, a
            missing schema_version) by editing those lines only, so comments and layout stay. Prints
            each change (rewrite:), advice (NOTE:) and what it leaves to you (MANUAL:) with file:line,
            then a unified diff. Before writing it saves the old text as agent-runner.toml.bak, or
            .bak.2, .bak.3... when older backups exist (none is ever overwritten); then it replaces the
            file atomically. A second run says 'nothing to migrate'. A running serve keeps the config it
            started with: 'agent-runner restart' loads the migrated one.
            """,
        options: [OptionSpec("dry-run", help: "Print the changes and the diff; write nothing.")],
        exitCodes: [
            (ExitCode.success, "migrated, or nothing to migrate (with --dry-run: nothing left for you to edit)"),
            (ExitCode.failure, "the backup or the new file could not be written (the config is unchanged)"),
            (ExitCode.usage, "the command line is wrong"),
            (
                ExitCode.software,
                "internal error: the rewritten text would not mean what the rewrites intend; nothing written"
            ),
            (
                ExitCode.config,
                "MANUAL items remain (the safe rewrites were still written), or the file is missing, "
                    + "unreadable or not TOML"
            ),
        ])

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        let (path, missingHint) = AgentRunnerProgram.configLocation(parsed, context: context)
        let file: (absolutePath: String, bytes: [UInt8])
        do {
            file = try ConfigFile.read(
                path, environment: context.configEnvironment, fileSystem: context.fileSystem,
                missingHint: missingHint)
        } catch {
            return runner.configFailure(error, context: context)
        }
        let loader = AgentRunnerConfigLoader(environment: context.configEnvironment, fileSystem: context.fileSystem)
        let migration: ConfigMigration
        do {
            migration = try ConfigMigrator(loader: loader, configPath: file.absolutePath, displayPath: path).migrate(
                file.bytes)
        } catch {
            context.stderr.write("agent-runner: \(error.message)\n")
            return error.exitCode
        }
        let dryRun = parsed.has("dry-run")
        var backup: String?
        if migration.changesText && !dryRun {
            do {
                let written = try MigratedConfigWriter(path: file.absolutePath)
                    .write(original: file.bytes, migrated: Array(migration.migrated.utf8))
                backup = path + written.dropFirst(file.absolutePath.count)
            } catch {
                context.stderr.write("agent-runner: \(error.message)\n")
                return error.exitCode
            }
        }
        let written = backup != nil
        if parsed.has("json") {
            let json = migration.json(dryRun: dryRun, written: written, backup: backup)
            context.stdout.write(JSONLines.line(json))
        } else {
            context.stdout.write(text(migration, dryRun: dryRun, backup: backup))
        }
        let manual = migration.manual.count
        guard manual == 0 else {
            let rest = written ? "; the other changes were written" : ""
            context.stderr.write(
                "agent-runner: \(path): \(manual) item\(manual == 1 ? " needs" : "s need") a hand edit "
                    + "(MANUAL, with file:line)\(rest)\n")
            return ExitCode.config
        }
        return ExitCode.success
    }

    /// The report, the diff and what was written, as the operator reads them.
    static func text(_ migration: ConfigMigration, dryRun: Bool, backup: String?) -> String {
        var out = ""
        if !migration.changesText && migration.manual.isEmpty {
            out += "\(migration.file): nothing to migrate\n"
        }
        for line in migration.reportLines(written: backup != nil) { out += line + "\n" }
        guard migration.changesText else { return out }
        out += migration.diff
        if let backup {
            out += "wrote \(migration.file) (backup: \(backup))\n"
            out += "a running serve keeps the config it started with; 'agent-runner restart' loads this one\n"
        } else if dryRun {
            out += "(dry-run — no changes written)\n"
        }
        return out
    }
}
