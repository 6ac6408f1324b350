using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace VendorGate.Gateway.Compliance;

/// <summary>The shipped DejaVu Sans for PDFsharp (Linux has no font PDFsharp can find on its own).</summary>
public sealed class ReportFonts : IFontResolver
{
    public const string Family = "DejaVu Sans";
    private static readonly Lock Gate = new();
    private static bool _installed;

    public static void Install()
    {
        lock (Gate)
        {
            if (!_installed)
            {
                GlobalFontSettings.FontResolver = new ReportFonts();
                _installed = true;
            }
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(bold ? "DejaVuSans-Bold" : "DejaVuSans");

    public byte[]? GetFont(string faceName)
    {
        using var stream = typeof(ReportFonts).Assembly.GetManifestResourceStream($"fonts/{faceName}.ttf")
            ?? throw new InvalidOperationException($"The font {faceName} is not embedded.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

/// <summary>A4 pages written top to bottom: headings, paragraphs, and tables whose header row repeats on every page
/// they run onto, with a footer on each page.</summary>
public sealed class ReportDocument
{
    private const double Margin = 50, Bottom = 842 - 60;
    private readonly PdfDocument _document = new();
    private readonly XFont _body = new(ReportFonts.Family, 9, XFontStyleEx.Regular);
    private readonly XFont _bold = new(ReportFonts.Family, 9, XFontStyleEx.Bold);
    private readonly XFont _heading = new(ReportFonts.Family, 13, XFontStyleEx.Bold);
    private readonly XFont _title = new(ReportFonts.Family, 18, XFontStyleEx.Bold);
    private readonly string _footer;
    private XGraphics _graphics = null!;
    private double _y;

    public ReportDocument(string title, string footer)
    {
        _document.Info.Title = title;
        _document.Info.Creator = "VendorGate";
        _footer = footer;
        NewPage();
    }

    private double Width => 595 - 2 * Margin;

    public void Title(string text) => Line(text, _title, 26);

    public void Heading(string text)
    {
        EnsureRoom(40);
        _y += 8;
        Line(text, _heading, 20);
    }

    public void Paragraph(string text, XBrush? brush = null, bool bold = false)
    {
        foreach (var line in Wrap(text, bold ? _bold : _body, Width))
        {
            EnsureRoom(13);
            _graphics.DrawString(line, bold ? _bold : _body, brush ?? XBrushes.Black, new XPoint(Margin, _y + 9));
            _y += 13;
        }
        _y += 3;
    }

    /// <summary>A table: <paramref name="widths"/> are shares of the page width; the header repeats on each page.</summary>
    public void Table(string[] headers, double[] widths, IEnumerable<string[]> rows)
    {
        var columns = widths.Select(w => w / widths.Sum() * Width).ToArray();
        DrawRow(headers, columns, _bold, XBrushes.LightGray);
        foreach (var row in rows)
        {
            var height = RowHeight(row, columns, _body);
            if (_y + height > Bottom)
            {
                NewPage();
                DrawRow(headers, columns, _bold, XBrushes.LightGray);
            }
            DrawRow(row, columns, _body, null);
        }
        _y += 6;
    }

    public byte[] ToPdf()
    {
        using var output = new MemoryStream();
        _document.Save(output, closeStream: false);
        return output.ToArray();
    }

    private void DrawRow(string[] cells, double[] columns, XFont font, XBrush? fill)
    {
        var height = RowHeight(cells, columns, font);
        if (fill is not null)
        {
            _graphics.DrawRectangle(fill, Margin, _y, Width, height);
        }
        var x = Margin;
        for (var c = 0; c < columns.Length; c++)
        {
            var y = _y + 3;
            foreach (var line in Wrap(c < cells.Length ? cells[c] : "", font, columns[c] - 6))
            {
                _graphics.DrawString(line, font, XBrushes.Black, new XPoint(x + 3, y + 9));
                y += 12;
            }
            x += columns[c];
        }
        _y += height;
        _graphics.DrawLine(XPens.Gray, Margin, _y, Margin + Width, _y);
    }

    private double RowHeight(string[] cells, double[] columns, XFont font) =>
        6 + 12 * columns.Select((w, c) => Wrap(c < cells.Length ? cells[c] : "", font, w - 6).Count).Max();

    private void Line(string text, XFont font, double height)
    {
        EnsureRoom(height);
        _graphics.DrawString(text, font, XBrushes.Black, new XPoint(Margin, _y + height - 6));
        _y += height;
    }

    private void EnsureRoom(double height)
    {
        if (_y + height > Bottom)
        {
            NewPage();
        }
    }

    private void NewPage()
    {
        _graphics?.Dispose();
        var page = _document.AddPage();
        page.Width = XUnit.FromPoint(595);
        page.Height = XUnit.FromPoint(842);
        _graphics = XGraphics.FromPdfPage(page);
        _graphics.DrawString($"{_footer} · page {_document.PageCount}", _body, XBrushes.Gray, new XPoint(Margin, 842 - 30));
        _y = Margin;
    }

    /// <summary>Greedy word wrap; a word wider than the column (a digest) is broken between characters.</summary>
    private List<string> Wrap(string text, XFont font, double width)
    {
        var lines = new List<string>();
        foreach (var paragraph in text.Split('\n'))
        {
            var line = "";
            foreach (var word in paragraph.Split(' '))
            {
                var candidate = line.Length == 0 ? word : line + " " + word;
                if (_graphics.MeasureString(candidate, font).Width <= width)
                {
                    line = candidate;
                    continue;
                }
                if (line.Length > 0)
                {
                    lines.Add(line);
                }
                line = word;
                while (line.Length > 1 && _graphics.MeasureString(line, font).Width > width)
                {
                    var fit = line.Length - 1;
                    while (fit > 1 && _graphics.MeasureString(line[..fit], font).Width > width)
                    {
                        fit--;
                    }
                    lines.Add(line[..fit]);
                    line = line[fit..];
                }
            }
            lines.Add(line);
        }
        return lines;
    }
}
