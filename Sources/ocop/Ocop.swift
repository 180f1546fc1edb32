import ArgumentParser

/// `ocop`: OCOP product traceability, from GS1 identifiers to trace links. It is run by
/// ``Entry``, which writes its help, its errors and its examples.
struct Ocop: AsyncParsableCommand {
  /// The toolkit's version, as `ocop --version` prints it.
  static let version = "0.9.0"

  // Every command names itself (`commandName`): ArgumentParser would otherwise derive each
  // name from its type by reflection at every start, a third of a short command's time.
  static let configuration = CommandConfiguration(
    commandName: "ocop",
    abstract: "Origin records and QR trace labels for OCOP products (Mỗi xã một sản phẩm).",
    discussion: """
      For producers, inspectors and retailers of OCOP products: a signed, tamper-evident \
      store of producers, products, OCOP ratings and batches with their origin; QR labels \
      carrying signed GS1 Digital Link trace URLs; verification of scanned codes online or \
      offline; exports (signed bundles, CSV, EPCIS 2.0); and the resolver a scanned code \
      opens. Every input is checked against GS1's own rules, and a refusal says what is \
      wrong and where.

      Start with `ocop init`, then `ocop import all FOLDER` or `ocop producer add`. The \
      store (an SQLite file, or a PostgreSQL database named postgres://USER@HOST:PORT/DB, \
      its password from $PGPASSWORD) is found by --store, then $OCOP_STORE, then the store \
      the config names, then ./ocop.sqlite; the config (resolver, company prefix, key, \
      trust list) by --config, then $OCOP_CONFIG, then the file beside an SQLite store \
      (NAME.json). `ocop migrate` moves a store from one to the other.

      Exit status: 0 when every input is accepted, 1 when an input is rejected (the \
      reason is on standard error), 64 when the command line itself is wrong. Errors, \
      warnings and verdicts are in colour on a terminal; NO_COLOR=1 turns it off.

      Shell completion: `ocop --generate-completion-script bash` (or zsh, fish) writes a \
      script for the shell; the README says where each shell reads it.
      """,
    version: "ocop-trace " + Ocop.version,
    subcommands: [
      InitCommand.self, ImportCommand.self, ProducerCommand.self, ProductCommand.self,
      BatchCommand.self, PrintCommand.self, VerifyCommand.self, TraceLotCommand.self,
      RecallCommand.self, AuditCommand.self, KeysCommand.self, ExportCommand.self,
      MigrateCommand.self, CheckCommand.self,
      ReportCommand.self, ServeCommand.self, GTINCommand.self, LinkCommand.self,
      DictionaryCommand.self,
    ]
  )
}
