import ArgumentParser

/// `ocop`: OCOP product traceability, from GS1 identifiers to trace links.
@main
struct Ocop: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ocop",
    abstract: "Traceability and QR trace links for OCOP products (Mỗi xã một sản phẩm).",
    discussion: """
      Identify products with GS1 GTINs and make GS1 Digital Link trace URLs that a QR
      code on the package carries. Every command checks its input against GS1's own
      rules and says exactly what is wrong.

      Exit status: 0 when every input is accepted, 1 when an input is rejected (the
      reason is on standard error), 64 when the command line itself is wrong.
      """,
    subcommands: [
      InitCommand.self, ImportCommand.self, ProducerCommand.self, ProductCommand.self,
      BatchCommand.self, PrintCommand.self, VerifyCommand.self, TraceLotCommand.self,
      RecallCommand.self, AuditCommand.self, KeysCommand.self, ExportCommand.self,
      ReportCommand.self, ServeCommand.self, GTINCommand.self, LinkCommand.self,
    ]
  )
}
