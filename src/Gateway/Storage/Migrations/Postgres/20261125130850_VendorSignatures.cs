using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VendorGate.Gateway.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class VendorSignatures : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "PreparedAt",
                table: "batches",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PreparedKeyId",
                table: "batches",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PreparedStatement",
                table: "batches",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "VendorSignature",
                table: "batches",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "VendorSignatureKeyId",
                table: "batches",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "vendor_signing_keys",
                columns: table => new
                {
                    Kid = table.Column<string>(type: "text", nullable: false),
                    VendorId = table.Column<Guid>(type: "uuid", nullable: false),
                    Jwk = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RevokedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_vendor_signing_keys", x => x.Kid);
                });

            migrationBuilder.CreateIndex(
                name: "IX_vendor_signing_keys_VendorId",
                table: "vendor_signing_keys",
                column: "VendorId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "vendor_signing_keys");

            migrationBuilder.DropColumn(
                name: "PreparedAt",
                table: "batches");

            migrationBuilder.DropColumn(
                name: "PreparedKeyId",
                table: "batches");

            migrationBuilder.DropColumn(
                name: "PreparedStatement",
                table: "batches");

            migrationBuilder.DropColumn(
                name: "VendorSignature",
                table: "batches");

            migrationBuilder.DropColumn(
                name: "VendorSignatureKeyId",
                table: "batches");
        }
    }
}
