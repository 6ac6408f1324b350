using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VendorGate.Gateway.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ManifestTrees : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ManifestFormat",
                table: "snapshots",
                type: "TEXT",
                nullable: false,
                defaultValue: "VGM1"); // every snapshot cut before manifest trees is one flat VGM1 blob
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ManifestFormat",
                table: "snapshots");
        }
    }
}
