using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Workflow.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ProgramModulesAndDeployments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ModulesJson",
                table: "programs",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "deployments",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Hash = table.Column<string>(type: "TEXT", nullable: false),
                    DeployedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_deployments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_deployments_programs_Hash",
                        column: x => x.Hash,
                        principalTable: "programs",
                        principalColumn: "Hash",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_deployments_Hash",
                table: "deployments",
                column: "Hash");

            migrationBuilder.CreateIndex(
                name: "IX_deployments_Name_Id",
                table: "deployments",
                columns: new[] { "Name", "Id" });

            // Added by hand (data, not schema): every stored version counts as deployed under its name,
            // in the order it was stored, so each name's current version stays what it was.
            migrationBuilder.Sql("INSERT INTO deployments (Name, Hash, DeployedAt) SELECT Name, Hash, CreatedAt FROM programs ORDER BY CreatedAt, rowid;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "deployments");

            migrationBuilder.DropColumn(
                name: "ModulesJson",
                table: "programs");
        }
    }
}
