import XCTest

@testable import HeadlessBrowser

/// How chromium is found and started, as data.
final class ChromiumLaunchTests: XCTestCase {
    func testArgumentsSelectNewHeadlessAndThePipe() {
        XCTAssertEqual(
            ChromiumCommandLine.arguments(userDataDirectory: "/tmp/hb/profile", windowWidth: 1280, windowHeight: 900),
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--no-default-browser-check", "--user-data-dir=/tmp/hb/profile", "--window-size=1280,900",
                "--hide-scrollbars", "--no-startup-window", "--remote-debugging-pipe",
            ])
    }

    func testEnvironmentKeepsChromiumsFilesInItsDirectory() {
        let environment = ChromiumCommandLine.environment(
            base: ["PATH": "/usr/bin", "HOME": "/root", "LANG": "C.UTF-8"], temporaryDirectory: "/tmp/hb")
        XCTAssertEqual(
            environment,
            [
                "PATH": "/usr/bin", "LANG": "C.UTF-8", "HOME": "/tmp/hb/home", "XDG_CONFIG_HOME": "/tmp/hb/config",
                "XDG_CACHE_HOME": "/tmp/hb/cache",
            ])
    }

    func testLocatorPrefersCHROMIUMThenChromiumThenChromiumBrowser() throws {
        let installed: Set = ["/usr/bin/chromium", "/snap/bin/chromium-browser", "/opt/chrome/chrome"]
        let isExecutable = { (path: String) in installed.contains(path) }
        let path = "/usr/local/bin:/usr/bin:/snap/bin"

        XCTAssertEqual(
            try ChromiumLocator.locate(environment: ["PATH": path], isExecutable: isExecutable), "/usr/bin/chromium")
        XCTAssertEqual(
            try ChromiumLocator.locate(environment: ["PATH": "/snap/bin"], isExecutable: isExecutable),
            "/snap/bin/chromium-browser")
        XCTAssertEqual(
            try ChromiumLocator.locate(
                environment: ["PATH": path, "CHROMIUM": "/opt/chrome/chrome"], isExecutable: isExecutable),
            "/opt/chrome/chrome")
        XCTAssertEqual(
            try ChromiumLocator.locate(
                environment: ["PATH": path, "CHROMIUM": "chromium-browser"], isExecutable: isExecutable),
            "/snap/bin/chromium-browser")
    }

    func testMissingChromiumSaysHowToInstallIt() {
        XCTAssertThrowsError(try ChromiumLocator.locate(environment: ["PATH": "/usr/bin:/bin"]) { _ in false }) {
            error in
            let failure = error as? BrowserError
            XCTAssertEqual(failure?.code, .notInstalled)
            XCTAssertEqual(
                failure?.description,
                "chromium not found: no chromium or chromium-browser on PATH (/usr/bin:/bin) and CHROMIUM is not set; "
                    + "install it with: apt-get install -y chromium")
        }
        XCTAssertThrowsError(
            try ChromiumLocator.locate(environment: ["PATH": "/usr/bin", "CHROMIUM": "/opt/none"]) { _ in false }
        ) { error in
            XCTAssertEqual((error as? BrowserError)?.code, .notInstalled)
            XCTAssertTrue("\(error)".hasPrefix("CHROMIUM=/opt/none is not an executable file"), "\(error)")
            XCTAssertTrue("\(error)".hasSuffix("install it with: apt-get install -y chromium"), "\(error)")
        }
    }
}
