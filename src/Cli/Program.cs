using System.CommandLine;
using VendorGate.Cli;

// vendorgate: the Gateway from a vendor's shell or pipeline. Each command's result goes to stdout (one JSON document
// with --json), progress and errors to stderr. Exit codes (README "The vendorgate CLI"): 0 done, 1 the answer is no
// (invalid lines; a watched batch ended quarantined, rejected or revoked), 2 usage or local file, 3 the Gateway refused,
// 4 the Gateway unavailable (run again: uploads resume), 130 interrupted.
var json = new Option<bool>("--json") { Description = "print one JSON document (errors too) instead of text", Recursive = true };
var profileName = new Option<string>("--profile")
{
    Description = "the stored profile to use (VENDORGATE_GATEWAY and VENDORGATE_API_KEY, when both are set, are used instead)",
    Recursive = true, DefaultValueFactory = _ => Environment.GetEnvironmentVariable("VENDORGATE_PROFILE") is { Length: > 0 } p ? p : "default",
};
var config = ConfigFolder.Default();
Profile ProfileOf(ParseResult r) => config.Load(r.GetValue(profileName)!);
Task<int> Run(ParseResult r, Func<Shell, Task<int>> command)
{
    var shell = new Shell(r.GetValue(json));
    return shell.RunAsync(() => command(shell));
}

var gateway = new Option<string>("--gateway") { Description = "the Gateway's URL", Required = true };
var keyFile = new Option<string?>("--key-file") { Description = "a file holding the API key (else it is read from stdin)" };
var login = new Command("login", "Check an API key against the Gateway and store it in a profile (mode 0600).") { gateway, keyFile };
login.SetAction((r, ct) => Run(r, shell => Login.RunAsync(shell, config, r.GetValue(profileName)!, r.GetValue(gateway)!, r.GetValue(keyFile), ct)));

var file = new Argument<string>("file") { Description = "the NDJSON file (or its gzip)" };
var domains = new Option<string[]>("--domain") { Description = "a declared domain of the batch (repeat for several)", AllowMultipleArgumentsPerToken = false };
var maxLine = new Option<int>("--max-line-bytes") { Description = "the Gateway's VendorGate:Ingest:MaxLineBytes", DefaultValueFactory = _ => VendorGate.Corpus.IngestLimits.Default.MaxLineBytes };
var digestsOut = new Option<string?>("--digests") { Description = "write each example's digest (sha256:<hex>, one per line) to this file" };
var check = new Command("check", "Validate a file with the Gateway's own rules and print the batch digest it will get; nothing is sent.") { file, domains, maxLine, digestsOut };
check.SetAction((r, ct) => Run(r, shell => Check.RunAsync(shell, r.GetValue(file)!, r.GetValue(domains) ?? [], r.GetValue(maxLine), r.GetValue(digestsOut), ct)));

var justification = new Option<string>("--justification") { Description = "why this data belongs in the corpus (20 characters or more)", Required = true };
var license = new Option<string>("--license") { Description = "an SPDX licence expression", Required = true };
var requiredDomains = new Option<string[]>("--domain") { Description = "a declared domain of the batch (repeat for several)", Required = true };
var source = new Option<string>("--source") { Description = "vendor, synthetic or internal", DefaultValueFactory = _ => "vendor" };
var idempotencyKey = new Option<string?>("--idempotency-key") { Description = "names the batch (default: derived from the content's digest, so a rerun resumes)" };
var signKey = new Option<string?>("--sign-key") { Description = "the vendor's private key (PEM, P-256 or RSA) to co-sign the receipt statement" };
var receipt = new Option<string?>("--receipt") { Description = "wait for the signed receipt and write its DSSE envelope to this file" };
var noGzip = new Option<bool>("--no-gzip") { Description = "send the file as it is instead of gzip-compressed" };
var wait = new Option<int>("--wait")
{
    Description = "while the Gateway refuses new batches (503 scans-behind or intake-busy), wait and try again for up to this many seconds (0: exit 4 at once)",
    DefaultValueFactory = _ => 1800,
};
var upload = new Command("upload", "Open a batch and upload a file through a resumable session (gzip, progress); run again to resume.")
{
    file, justification, license, requiredDomains, source, idempotencyKey, signKey, receipt, noGzip, wait,
};
upload.SetAction((r, ct) => Run(r, shell => Upload.RunAsync(shell, config, ProfileOf(r), new UploadRequest(r.GetValue(file)!,
    r.GetValue(justification)!, r.GetValue(license)!, r.GetValue(requiredDomains)!, r.GetValue(source)!, r.GetValue(idempotencyKey), r.GetValue(signKey),
    r.GetValue(receipt), !r.GetValue(noGzip), TimeSpan.FromSeconds(r.GetValue(wait))), ct)));

var batchId = new Argument<Guid>("batch") { Description = "the batch id" };
var watch = new Option<bool>("--watch") { Description = "follow the batch until scanning ends (or --until decided)" };
var until = new Option<string>("--until") { Description = "with --watch: scanned (default) or decided (approved, merged, rejected or revoked)", DefaultValueFactory = _ => "scanned" };
until.AcceptOnlyFromAmong("scanned", "decided");
var timeout = new Option<int>("--timeout") { Description = "with --watch: give up after this many seconds (exit 4)", DefaultValueFactory = _ => 3600 };
var status = new Command("status", "A batch's status, receipt, reviews and findings.") { batchId, watch, until, timeout };
status.SetAction((r, ct) => Run(r, shell => Batches.StatusAsync(shell, ProfileOf(r), r.GetValue(batchId),
    r.GetValue(watch) ? r.GetValue(until) : null, TimeSpan.FromSeconds(r.GetValue(timeout)), ct)));

var statusFilter = new Option<string?>("--status") { Description = "only batches in this status" };
var limit = new Option<int>("--limit") { Description = "at most this many, newest first", DefaultValueFactory = _ => 50 };
var batches = new Command("batches", "The batches you may see, newest first.") { statusFilter, limit };
batches.SetAction((r, ct) => Run(r, shell => Batches.ListAsync(shell, ProfileOf(r), r.GetValue(statusFilter), r.GetValue(limit), ct)));

var findings = new Command("findings", "A batch's scanner findings as a table.") { batchId };
findings.SetAction((r, ct) => Run(r, shell => Batches.FindingsAsync(shell, ProfileOf(r), r.GetValue(batchId), ct)));

var root = new RootCommand("vendorgate: upload to a VendorGate Gateway and follow what becomes of it. Exit codes: 0 done, 1 the answer is no, 2 usage, 3 refused by the Gateway, 4 Gateway unavailable (run again), 130 interrupted.")
{
    login, check, upload, status, batches, findings, json, profileName,
};
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine(error.Message);
    }
    Console.Error.WriteLine("Run with --help for usage.");
    return ExitCodes.Usage;
}
return await parsed.InvokeAsync();
