using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VendorGate.Gateway.Storage.Migrations.Postgres
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
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ScannedExamples",
                table: "batches",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "batch_profiles",
                columns: table => new
                {
                    BatchId = table.Column<Guid>(type: "uuid", nullable: false),
                    VendorId = table.Column<Guid>(type: "uuid", nullable: true),
                    AnnotatorId = table.Column<Guid>(type: "uuid", nullable: false),
                    Examples = table.Column<long>(type: "bigint", nullable: false),
                    TotalLength = table.Column<double>(type: "double precision", nullable: false),
                    TotalEntropy = table.Column<double>(type: "double precision", nullable: false),
                    Flagged = table.Column<long>(type: "bigint", nullable: false),
                    ScannedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_batch_profiles", x => x.BatchId);
                });

            migrationBuilder.CreateTable(
                name: "canary_probes",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    Prompt = table.Column<string>(type: "text", nullable: false),
                    Expectation = table.Column<string>(type: "text", nullable: false),
                    Tags = table.Column<string>(type: "text", nullable: false),
                    Trigger = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedBy = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_canary_probes", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "canary_results",
                columns: table => new
                {
                    ModelName = table.Column<string>(type: "text", nullable: false),
                    ProbeId = table.Column<string>(type: "text", nullable: false),
                    Passed = table.Column<bool>(type: "boolean", nullable: false),
                    RecordedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RecordedBy = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_canary_results", x => new { x.ModelName, x.ProbeId });
                });

            migrationBuilder.CreateTable(
                name: "compliance_history",
                columns: table => new
                {
                    VendorId = table.Column<Guid>(type: "uuid", nullable: false),
                    Day = table.Column<string>(type: "text", nullable: false),
                    Status = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_compliance_history", x => new { x.VendorId, x.Day });
                });

            migrationBuilder.CreateTable(
                name: "eval_coverage",
                columns: table => new
                {
                    Domain = table.Column<string>(type: "text", nullable: false),
                    ProbeIds = table.Column<string>(type: "text", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedBy = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_eval_coverage", x => x.Domain);
                });

            migrationBuilder.CreateTable(
                name: "known_bad_signatures",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Incident = table.Column<string>(type: "text", nullable: false),
                    Kind = table.Column<string>(type: "text", nullable: false),
                    Pattern = table.Column<string>(type: "text", nullable: false),
                    Note = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedBy = table.Column<Guid>(type: "uuid", nullable: false),
                    RetiredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    RetiredBy = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_known_bad_signatures", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "model_gates",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ModelName = table.Column<string>(type: "text", nullable: false),
                    Baseline = table.Column<string>(type: "text", nullable: true),
                    Passed = table.Column<bool>(type: "boolean", nullable: false),
                    StatementDigest = table.Column<string>(type: "text", nullable: false),
                    Blob = table.Column<string>(type: "text", nullable: false),
                    EnvelopeDigest = table.Column<string>(type: "text", nullable: true),
                    KeyId = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_model_gates", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "revocation_acknowledgements",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    VendorId = table.Column<Guid>(type: "uuid", nullable: false),
                    Statement = table.Column<string>(type: "text", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    By = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_revocation_acknowledgements", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "trigger_candidates",
                columns: table => new
                {
                    BatchId = table.Column<Guid>(type: "uuid", nullable: false),
                    Ngram = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Kind = table.Column<string>(type: "text", nullable: false),
                    VendorId = table.Column<Guid>(type: "uuid", nullable: true),
                    AnnotatorId = table.Column<Guid>(type: "uuid", nullable: false),
                    Examples = table.Column<int>(type: "integer", nullable: false),
                    Flagged = table.Column<int>(type: "integer", nullable: false),
                    WordExamples = table.Column<int>(type: "integer", nullable: false),
                    Lines = table.Column<string>(type: "text", nullable: false),
                    ScannedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_trigger_candidates", x => new { x.BatchId, x.Kind, x.Ngram });
                });

            migrationBuilder.CreateTable(
                name: "vendor_evidence",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    VendorId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "text", nullable: false),
                    IssuedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Declared = table.Column<string>(type: "text", nullable: false),
                    FileName = table.Column<string>(type: "text", nullable: false),
                    ContentType = table.Column<string>(type: "text", nullable: false),
                    Size = table.Column<long>(type: "bigint", nullable: false),
                    Blob = table.Column<string>(type: "text", nullable: false),
                    Digest = table.Column<string>(type: "text", nullable: false),
                    UploadedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UploadedBy = table.Column<Guid>(type: "uuid", nullable: false),
                    VerifiedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    VerifiedBy = table.Column<Guid>(type: "uuid", nullable: true)
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
