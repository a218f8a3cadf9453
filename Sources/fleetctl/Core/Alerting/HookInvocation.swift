import FleetCore
import Monitoring

/// Exactly what runs for one hook and one notification: argv, environment and stdin, as
/// values (tests compare them without running anything).
///
/// No shell is involved: argv goes to `posix_spawnp` as is. A word that is exactly a
/// placeholder (`{host}`) becomes that value as one argument; the inventory loader refuses
/// placeholders inside longer words and as a `-c` script, so nothing a host reports (a
/// message, a detector context) can turn into shell code or extra arguments.
public struct HookInvocation: Sendable, Equatable {
    public var hook: String
    public var argv: [String]
    /// Added to fleetctl's own environment.
    public var environment: [String: String]
    /// The notification as one JSON object and a newline.
    public var stdin: [UInt8]
    public var timeout: Duration

    public init(hook: Inventory.AlertHook, notification: AlertNotification) {
        self.hook = hook.name
        let message = Self.safe(notification.alert.messageWithHint)
        let values = [
            "{host}": Self.safe(notification.host), "{detector}": Self.safe(notification.alert.detector),
            "{severity}": notification.alert.severity.rawValue, "{state}": notification.state.rawValue,
            "{message}": message, "{hint}": Self.safe(notification.alert.hint ?? ""),
        ]
        argv = hook.command.map { values[$0] ?? $0 }
        environment = [
            "FLEET_HOST": Self.safe(notification.host),
            "FLEET_DETECTOR": Self.safe(notification.alert.detector),
            "FLEET_SEVERITY": notification.alert.severity.rawValue,
            "FLEET_STATE": notification.state.rawValue,
            "FLEET_REPEAT": notification.isRepeat ? "1" : "0",
            "FLEET_MESSAGE": message,
            "FLEET_HINT": Self.safe(notification.alert.hint ?? ""),
            "FLEET_SINCE": EventTimestamp.format(notification.since),
            "FLEET_KEY": Self.safe(notification.alert.key),
            "FLEET_AUTO_ACTION": notification.autoAction,
            "FLEET_HOOK": hook.name,
        ]
        let payload = SecretRedactor.redact(JSONValue.object(notification.json()))
        stdin = JSONWriter(style: .compact).encode(payload) + [UInt8(ascii: "\n")]
        timeout = .seconds(hook.timeoutS)
    }

    /// Most bytes of one placeholder value or `FLEET_*` variable: far below the kernel's
    /// 128 KiB limit on one argument or environment string (`MAX_ARG_STRLEN`; a longer one makes
    /// every spawn of the hook fail with E2BIG) and, all of them together, below its total.
    public static let maxValueBytes = 8 << 10

    /// Text from a host as a hook receives it: secrets redacted, then sanitized (no ESC, C0/C1
    /// control, bidi control or newline reaches a hook's log or terminal; NUL, which no
    /// argument can hold, among them), then cut to ``maxValueBytes`` on a scalar boundary.
    static func safe(_ text: String) -> String {
        UTF8Clip.clip(TerminalText.sanitize(SecretRedactor.redact(text)), maxBytes: maxValueBytes)
    }
}

/// Which hooks run for a notification: state, severity and detector filters, `min_severity`,
/// and the hook's host selector (resolved once against the inventory).
public struct HookRoute: Sendable, Equatable {
    public var hook: Inventory.AlertHook
    /// Hosts the hook's `hosts` selector names.
    public var hosts: Set<String>

    public init(hook: Inventory.AlertHook, hosts: Set<String>) {
        self.hook = hook
        self.hosts = hosts
    }

    /// Routes for every command hook of `inventory` (Alertmanager hooks: ``alertmanagerRoutes(for:)``).
    public static func routes(for inventory: Inventory) -> [HookRoute] {
        allRoutes(for: inventory).filter { $0.hook.alertmanagerURL == nil }
    }

    /// Routes for the `kind = "alertmanager"` hooks of `inventory`.
    public static func alertmanagerRoutes(for inventory: Inventory) -> [HookRoute] {
        allRoutes(for: inventory).filter { $0.hook.alertmanagerURL != nil }
    }

    private static func allRoutes(for inventory: Inventory) -> [HookRoute] {
        inventory.hooks.map { hook in
            let hosts = (try? HostSelector.select(hook.hosts, from: inventory).map(\.name)) ?? []
            return HookRoute(hook: hook, hosts: Set(hosts))
        }
    }

    public func matches(_ notification: AlertNotification) -> Bool {
        let state: Inventory.HookEvent = notification.state == .firing ? .firing : .resolved
        let severity = notification.alert.severity
        return hosts.contains(notification.host)
            && (hook.on.isEmpty || hook.on.contains(state))
            && (hook.detectors.isEmpty || hook.detectors.contains(notification.alert.detector))
            && (hook.severities.isEmpty || hook.severities.contains(severity))
            && severity >= hook.minSeverity
    }
}
