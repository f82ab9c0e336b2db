"""`TrainingPlot`: loss and accuracy per epoch as two sparklines with their latest values."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Sparkline


class TrainingPlot(Vertical):
    """Plots the loss and accuracy series of a training run (one point per epoch)."""

    DEFAULT_CSS = """
    TrainingPlot { height: auto; }
    TrainingPlot Sparkline { height: 3; margin: 0 0 1 0; }
    """

    def compose(self) -> ComposeResult:
        yield Label("Loss: no data", id="plot-loss-label")
        yield Sparkline([], id="plot-loss")
        yield Label("Accuracy: no data", id="plot-acc-label")
        yield Sparkline([], id="plot-acc")

    def plot(self, losses: Sequence[float], accuracies: Sequence[float]) -> None:
        """Replace both series."""
        loss_label = f"Loss: {losses[-1]:.4f} (epoch {len(losses)})" if losses else "Loss: no data"
        acc_label = f"Accuracy: {accuracies[-1]:.4f} (epoch {len(accuracies)})" if accuracies else "Accuracy: no data"
        self.query_one("#plot-loss-label", Label).update(loss_label)
        self.query_one("#plot-acc-label", Label).update(acc_label)
        self.query_one("#plot-loss", Sparkline).data = list(losses)
        self.query_one("#plot-acc", Sparkline).data = list(accuracies)
