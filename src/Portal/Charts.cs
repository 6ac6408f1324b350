using System.Globalization;
using System.Net;
using System.Text;

namespace VendorGate.Portal;

/// <summary>Server-rendered SVG charts with a text alternative: a picture for those who would rather look, and the
/// same numbers for screen readers (the title and the table beside each chart).</summary>
public static class Charts
{
    public static readonly IReadOnlyDictionary<string, string> OutcomeColours = new Dictionary<string, string>
    {
        ["accepted"] = "#2f855a", ["rejected"] = "#c53030", ["revoked"] = "#6b46c1", ["pending"] = "#a0aec0",
    };

    /// <summary>Stacked columns: one per category (a week), stacked by series (an outcome).</summary>
    public static string StackedColumns(string title, IReadOnlyList<string> categories, IReadOnlyDictionary<string, int[]> series)
    {
        const int width = 640, height = 220, left = 34, bottom = 30, top = 12;
        var totals = Enumerable.Range(0, categories.Count).Select(i => series.Values.Sum(s => s[i])).ToArray();
        var max = Math.Max(1, totals.DefaultIfEmpty(0).Max());
        var columnWidth = (width - left) / Math.Max(1, categories.Count);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg role=\"img\" aria-label=\"{Escape(title)}\" viewBox=\"0 0 {width} {height + 22}\" width=\"{width}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{Escape(title)}</title>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{top + 8}\" font-size=\"12\">{max}</text><text x=\"0\" y=\"{height - bottom}\" font-size=\"12\">0</text>");
        for (var i = 0; i < categories.Count; i++)
        {
            var y = (double)(height - bottom);
            foreach (var (name, values) in series)
            {
                var h = (height - bottom - top) * values[i] / (double)max;
                y -= h;
                if (h > 0)
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left + i * columnWidth + 2}\" y=\"{y:F1}\" width=\"{columnWidth - 4}\" height=\"{h:F1}\" fill=\"{OutcomeColours.GetValueOrDefault(name, "#4a5568")}\"><title>{Escape(categories[i])}: {values[i]} {Escape(name)}</title></rect>");
                }
            }
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + i * columnWidth + columnWidth / 2}\" y=\"{height - bottom + 14}\" font-size=\"12\" text-anchor=\"middle\">{Escape(categories[i])}</text>");
        }
        var legendX = left;
        foreach (var name in series.Keys)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{legendX}\" y=\"{height + 6}\" width=\"12\" height=\"12\" fill=\"{OutcomeColours.GetValueOrDefault(name, "#4a5568")}\"/><text x=\"{legendX + 16}\" y=\"{height + 17}\" font-size=\"12\">{Escape(name)}</text>");
            legendX += 90;
        }
        return svg.Append("</svg>").ToString();
    }

    /// <summary>Horizontal bars, one per label.</summary>
    public static string Bars(string title, IReadOnlyList<(string Label, int Value)> bars)
    {
        const int width = 640, row = 22, labelWidth = 200;
        var max = Math.Max(1, bars.Select(b => b.Value).DefaultIfEmpty(0).Max());
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg role=\"img\" aria-label=\"{Escape(title)}\" viewBox=\"0 0 {width} {bars.Count * row + 4}\" width=\"{width}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{Escape(title)}</title>");
        for (var i = 0; i < bars.Count; i++)
        {
            var w = (width - labelWidth - 40) * bars[i].Value / (double)max;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{i * row + 15}\" font-size=\"12\">{Escape(bars[i].Label)}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{labelWidth}\" y=\"{i * row + 4}\" width=\"{w:F1}\" height=\"{row - 8}\" fill=\"#2b6cb0\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth + w + 4:F1}\" y=\"{i * row + 15}\" font-size=\"12\">{bars[i].Value}</text>");
        }
        return svg.Append("</svg>").ToString();
    }

    public static readonly IReadOnlyDictionary<string, string> StatusColours = new Dictionary<string, string>
    {
        ["compliant"] = "#2f855a", ["at-risk"] = "#dd6b20", ["non-compliant"] = "#c53030", ["unassessed"] = "#a0aec0",
    };

    /// <summary>One cell a day, coloured by the day's status; days without an assessment keep the previous status.</summary>
    public static string StatusStrip(string title, IReadOnlyList<(DateOnly Day, string? Status)> days)
    {
        const int width = 640, height = 40;
        var cell = (double)width / Math.Max(1, days.Count);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg role=\"img\" aria-label=\"{Escape(title)}\" viewBox=\"0 0 {width} {height + 24}\" width=\"{width}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{Escape(title)}</title>");
        for (var i = 0; i < days.Count; i++)
        {
            var colour = days[i].Status is { } s ? StatusColours.GetValueOrDefault(s, "#e2e8f0") : "#f7fafc";
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{i * cell:F1}\" y=\"0\" width=\"{cell + 0.5:F1}\" height=\"{height}\" fill=\"{colour}\"><title>{days[i].Day:yyyy-MM-dd}: {Escape(days[i].Status ?? "no record")}</title></rect>");
        }
        var x = 0;
        foreach (var (status, colour) in StatusColours)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{height + 8}\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{x + 16}\" y=\"{height + 19}\" font-size=\"12\">{status}</text>");
            x += 110;
        }
        return svg.Append("</svg>").ToString();
    }

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
