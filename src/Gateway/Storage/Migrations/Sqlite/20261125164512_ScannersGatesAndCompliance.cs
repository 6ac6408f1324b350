using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VendorGate.Gateway.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ScannersGatesAndCompliance : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Evidence",
                table: "findings",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ScannedExamples",
                table: "batches",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "batch_profiles",
                columns: table => new
                {
                    BatchId = table.Column<Guid>(type: "TEXT", nullable: false),
                    VendorId = table.Column<Guid>(type: "TEXT", nullable: true),
                    AnnotatorId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Examples = table.Column<long>(type: "INTEGER", nullable: false),
                    TotalLength = table.Column<double>(type: "REAL", nullable: false),
                    TotalEntropy = table.Column<double>(type: "REAL", nullable: false),
                    Flagged = table.Column<long>(type: "INTEGER", nullable: false),
                    ScannedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_batch_profiles", x => x.BatchId);
                });

            migrationBuilder.CreateTable(
                name: "canary_probes",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    Prompt = table.Column<string>(type: "TEXT", nullable: false),
                    Expectation = table.Column<string>(type: "TEXT", nullable: false),
                    Tags = table.Column<string>(type: "TEXT", nullable: false),
                    Trigger = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    CreatedBy = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_canary_probes", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "canary_results",
                columns: table => new
                {
                    ModelName = table.Column<string>(type: "TEXT", nullable: false),
                    ProbeId = table.Column<string>(type: "TEXT", nullable: false),
                    Passed = table.Column<bool>(type: "INTEGER", nullable: false),
                    RecordedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    RecordedBy = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_canary_results", x => new { x.ModelName, x.ProbeId });
                });

            migrationBuilder.CreateTable(
                name: "compliance_history",
                columns: table => new
                {
                    VendorId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Day = table.Column<string>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_compliance_history", x => new { x.VendorId, x.Day });
                });

            migrationBuilder.CreateTable(
                name: "eval_coverage",
                columns: table => new
                {
                    Domain = table.Column<string>(type: "TEXT", nullable: false),
                    ProbeIds = table.Column<string>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    UpdatedBy = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_eval_coverage", x => x.Domain);
                });

            migrationBuilder.CreateTable(
                name: "known_bad_signatures",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Incident = table.Column<string>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", nullable: false),
                    Pattern = table.Column<string>(type: "TEXT", nullable: false),
                    Note = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    CreatedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    RetiredAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    RetiredBy = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_known_bad_signatures", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "model_gates",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ModelName = table.Column<string>(type: "TEXT", nullable: false),
                    Baseline = table.Column<string>(type: "TEXT", nullable: true),
                    Passed = table.Column<bool>(type: "INTEGER", nullable: false),
                    StatementDigest = table.Column<string>(type: "TEXT", nullable: false),
                    Blob = table.Column<string>(type: "TEXT", nullable: false),
                    EnvelopeDigest = table.Column<string>(type: "TEXT", nullable: true),
                    KeyId = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_model_gates", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "revocation_acknowledgements",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    VendorId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Statement = table.Column<string>(type: "TEXT", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    By = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_revocation_acknowledgements", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "trigger_candidates",
                columns: table => new
                {
                    BatchId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Ngram = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", nullable: false),
                    VendorId = table.Column<Guid>(type: "TEXT", nullable: true),
                    AnnotatorId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Examples = table.Column<int>(type: "INTEGER", nullable: false),
                    Flagged = table.Column<int>(type: "INTEGER", nullable: false),
                    WordExamples = table.Column<int>(type: "INTEGER", nullable: false),
                    Lines = table.Column<string>(type: "TEXT", nullable: false),
                    ScannedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_trigger_candidates", x => new { x.BatchId, x.Kind, x.Ngram });
                });

            migrationBuilder.CreateTable(
                name: "vendor_evidence",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    VendorId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", nullable: false),
                    IssuedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    Declared = table.Column<string>(type: "TEXT", nullable: false),
                    FileName = table.Column<string>(type: "TEXT", nullable: false),
                    ContentType = table.Column<string>(type: "TEXT", nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    Blob = table.Column<string>(type: "TEXT", nullable: false),
                    Digest = table.Column<string>(type: "TEXT", nullable: false),
                    UploadedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    UploadedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    VerifiedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    VerifiedBy = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_vendor_evidence", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_batch_profiles_VendorId_AnnotatorId",
                table: "batch_profiles",
                columns: new[] { "VendorId", "AnnotatorId" });

            migrationBuilder.CreateIndex(
                name: "IX_model_gates_ModelName_StatementDigest",
                table: "model_gates",
                columns: new[] { "ModelName", "StatementDigest" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_revocation_acknowledgements_VendorId",
                table: "revocation_acknowledgements",
                column: "VendorId");

            migrationBuilder.CreateIndex(
                name: "IX_trigger_candidates_AnnotatorId_Ngram",
                table: "trigger_candidates",
                columns: new[] { "AnnotatorId", "Ngram" });

            migrationBuilder.CreateIndex(
                name: "IX_trigger_candidates_VendorId_Ngram",
                table: "trigger_candidates",
                columns: new[] { "VendorId", "Ngram" });

            migrationBuilder.CreateIndex(
                name: "IX_vendor_evidence_VendorId",
                table: "vendor_evidence",
                column: "VendorId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "batch_profiles");

            migrationBuilder.DropTable(
                name: "canary_probes");

            migrationBuilder.DropTable(
                name: "canary_results");

            migrationBuilder.DropTable(
                name: "compliance_history");

            migrationBuilder.DropTable(
                name: "eval_coverage");

            migrationBuilder.DropTable(
                name: "known_bad_signatures");

            migrationBuilder.DropTable(
                name: "model_gates");

            migrationBuilder.DropTable(
                name: "revocation_acknowledgements");

            migrationBuilder.DropTable(
                name: "trigger_candidates");

            migrationBuilder.DropTable(
                name: "vendor_evidence");

            migrationBuilder.DropColumn(
                name: "Evidence",
                table: "findings");

            migrationBuilder.DropColumn(
                name: "ScannedExamples",
                table: "batches");
        }
    }
}
