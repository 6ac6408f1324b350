using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VendorGate.Gateway.Storage.Migrations.Sqlite
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
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PreparedKeyId",
                table: "batches",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PreparedStatement",
                table: "batches",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "VendorSignature",
                table: "batches",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "VendorSignatureKeyId",
                table: "batches",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "vendor_signing_keys",
                columns: table => new
                {
                    Kid = table.Column<string>(type: "TEXT", nullable: false),
                    VendorId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Jwk = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    RevokedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true)
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
