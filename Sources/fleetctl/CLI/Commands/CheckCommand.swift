import FleetControl
import FleetCore
import Monitoring
import SSHTransport

/// `fleetctl check`: validates the inventory and prints it as fleetctl understands it.
enum CheckCommand {
    static let spec = VerbSpec(
        "check",
        summary:
            "validate the inventory, each host's ssh setup and the hooks' programs; print every host's effective settings",
        discussion: """
            Reads the inventory as every other verb would: [defaults], then each group the host
            belongs to (in the order the host lists them), then the host's own table. Prints the
            result, or one line naming file, line and key of the first problem. Then asks
            `ssh -G` (no connection is made) how ssh would reach each host: a missing ssh_config
            file, a configuration ssh rejects, or a destination that is neither a `Host` alias
            with a HostName nor a resolvable name is an error (every poll would fail); weak
            settings are reported (host keys not pinned, a shared default identity, IdentitiesOnly
            off). Finally each hook's program is looked up as it will be run (on PATH, or as a
            file): a missing one is an error.
            """,
        options: [OptionSpec("no-ssh", help: "Skip the ssh checks.")],
        exitCodes: [
            (
                ExitCode.success,
                "the inventory is valid and every host and hook looks usable (ssh warnings may be printed)"
            ),
            (
                ExitCode.failure,
                "the inventory is valid but some host cannot be reached as configured (missing ssh_config, no Host entry, a name that does not resolve), a hook's program is missing, or some host's ssh config is critically weak (StrictHostKeyChecking no, or known_hosts discarded)"
            ),
            (ExitCode.usage, "the command line is wrong"),
            (ExitCode.config, "the inventory is missing, unreadable or invalid"),
        ])

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        guard let inventory = FleetctlProgram.loadInventory(parsed, context: context, runner: runner) else {
            return ExitCode.config
        }
        var findings: [(host: String, findings: [SSHHygieneFinding], error: String?)] = []
        if !parsed.has("no-ssh") {
            let hygiene = SSHHygiene(environment: context.environment)
            for host in inventory.hosts {
                do {
                    findings.append((host.name, try hygiene.check(try RemoteHost(host, controlDirectory: nil)), nil))
                } catch {
                    findings.append((host.name, [], error.message))
                }
            }
        }
        let hookErrors = inventory.hooks.compactMap {
            HookProgramCheck.problem($0, environment: context.environment, currentDirectory: context.currentDirectory)
        }
        if parsed.has("json") {
            var document = inventory.json()
            if case .object(var root) = document {
                if !parsed.has("no-ssh") {
                    var report = JSONObject()
                    for entry in findings {
                        report[entry.host] = .object([
                            "error": entry.error.map(JSONValue.string) ?? .null,
                            "findings": .array(
                                entry.findings.map { finding in
                                    .object([
                                        "severity": .string(finding.severity.rawValue), "code": .string(finding.code),
                                        "message": .string(finding.message),
                                        "config_line": .string(finding.configLine),
                                        "location": .string(finding.location),
                                    ])
                                }),
                        ])
                    }
                    root["ssh_hygiene"] = .object(report)
                }
                root["hook_errors"] = .array(hookErrors.map { .string($0) })
                document = .object(root)
            }
            context.stdout.write(JSONLines.line(document))
        } else {
            context.stdout.write(inventory.text())
            if !parsed.has("no-ssh") {
                context.stdout.write("\nssh hygiene (ssh -G):\n")
                for entry in findings {
                    if let error = entry.error {
                        context.stdout.write("  [ERROR] \(error)\n")
                    } else if entry.findings.isEmpty {
                        context.stdout.write("  \(entry.host): ok\n")
                    }
                    for finding in entry.findings { context.stdout.write("  \(finding.text)\n") }
                }
            }
            if !inventory.hooks.isEmpty {
                context.stdout.write("\nhooks:\n")
                if hookErrors.isEmpty { context.stdout.write("  every hook's program was found\n") }
                for error in hookErrors { context.stdout.write("  [ERROR] \(error)\n") }
            }
        }
        let failing = findings.filter { $0.error != nil || $0.findings.contains { $0.severity == .critical } }
        if !failing.isEmpty || !hookErrors.isEmpty {
            var parts: [String] = []
            if !failing.isEmpty {
                parts.append(
                    "\(failing.count) host\(failing.count == 1 ? "" : "s") cannot be used as configured (\(failing.map(\.host).joined(separator: ", ")))"
                )
            }
            if !hookErrors.isEmpty {
                parts.append("\(hookErrors.count) hook\(hookErrors.count == 1 ? "" : "s") cannot run")
            }
            context.stderr.write(
                "fleetctl: check failed: \(parts.joined(separator: "; ")); see the [ERROR] and [CRIT] lines\n")
            return ExitCode.failure
        }
        return ExitCode.success
    }
}
