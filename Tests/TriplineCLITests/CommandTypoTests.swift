import Foundation
import Testing

/// The dashboard is the default command: a mistyped command must not open it on a file named
/// after the typo, and a file that does not exist is an error unless the user asks to wait.
@Suite struct CommandTypoTests {
    @Test func aMistypedCommandIsAnErrorWithASuggestion() throws {
        for (typo, meant) in [("analyse", "analyze"), ("trian", "train"), ("serv", "serve"), ("exprot", "export")] {
            let r = try CLIRunner.run([typo, "auth.log"])
            #expect(r.status == 64, "\(typo): exit \(r.status)")
            #expect(r.stderr.contains("did you mean '\(meant)'?"), "\(typo): \(r.stderr)")
        }
    }

    @Test func aMissingFileIsAnErrorUnlessAskedToWait() throws {
        let dir = try CLIRunner.tempDir()
        let r = try CLIRunner.run(["dashboard", "nowhere.log"], cwd: dir)
        #expect(r.status == 64 && r.stderr.contains("no such file: nowhere.log") && r.stderr.contains("--wait"), "\(r.stderr)")
        // A word that is a file is the file, not a typo (here the dashboard then wants a terminal).
        FileManager.default.createFile(atPath: dir.appendingPathComponent("analyse").path, contents: nil)
        let file = try CLIRunner.run(["analyse"], stdin: "", cwd: dir)
        #expect(!file.stderr.contains("unknown command") && file.stderr.contains("needs a terminal"), "\(file.stderr)")
        let help = try CLIRunner.run(["dashboard", "--help"])
        #expect(help.stdout.contains("--wait"))
    }
}
