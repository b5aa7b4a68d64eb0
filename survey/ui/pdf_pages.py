"""Importing a PDF floorplan: see the pages, pick the plan, crop it to the drawing.

A plan PDF has several sheets (site plan, floor plans, elevations) and each sheet a title
block and wide margins; asking for a page number blind, then importing the whole sheet,
left the installer tracing walls on a postage stamp. :func:`ask_pdf_page` shows every
page as a thumbnail (drawn one by one after the dialog opens, so a long set of drawings
does not keep it shut) and the chosen page larger, on which a drag marks the part to
keep; the reader process renders the page and cuts it to that part.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from survey.project.floorplan_import import PDF_PREVIEW_PX

THUMBNAIL_PX = 150
#: A crop smaller than this share of the page (either side) is a slip of the mouse.
MIN_CROP_SHARE = 0.03


@dataclass(frozen=True)
class PdfChoice:
    """The page (0-based) and the part of it to keep: (left, top, right, bottom) as shares
    0..1 of the page's width and height; None keeps the whole page."""

    page_index: int
    crop: tuple[float, float, float, float] | None = None


def preview_image(png: bytes | None) -> QImage:
    """A page picture made by the reader process (:func:`survey.project.floorplan_import.pdf_previews`);
    a null image when there is none. Pages are drawn there, never here: pdfium on a hostile
    file runs in the process that may crash or be stopped."""
    return QImage() if png is None else QImage.fromData(png)


class CropView(QWidget):
    """The chosen page; drag to mark the part to keep (the rest is shaded)."""

    cropChanged = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumSize(QSize(PDF_PREVIEW_PX // 2, PDF_PREVIEW_PX // 2))  # the pictures' own size
        self.setCursor(Qt.CursorShape.CrossCursor)
        self._pixmap = QPixmap()
        self._drag_from: QPointF | None = None
        #: (left, top, right, bottom) shares of the page, or None: the whole page.
        self.crop: tuple[float, float, float, float] | None = None

    def set_page(self, image: QImage) -> None:
        self._pixmap = QPixmap.fromImage(image)
        self.crop = None
        self.update()
        self.cropChanged.emit()

    def page_rect(self) -> QRectF:
        """Where the page is drawn in the widget (scaled to fit, centred)."""
        if self._pixmap.isNull():
            return QRectF()
        scale = min(self.width() / self._pixmap.width(), self.height() / self._pixmap.height())
        w, h = self._pixmap.width() * scale, self._pixmap.height() * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def _share(self, pos: QPointF) -> tuple[float, float]:
        rect = self.page_rect()
        return (
            min(max((pos.x() - rect.x()) / rect.width(), 0.0), 1.0),
            min(max((pos.y() - rect.y()) / rect.height(), 0.0), 1.0),
        )

    def mousePressEvent(self, event):  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton and not self._pixmap.isNull():
            self._drag_from = event.position()

    def mouseMoveEvent(self, event):  # noqa: N802
        if self._drag_from is not None:
            self._set_crop(self._drag_from, event.position())

    def mouseReleaseEvent(self, event):  # noqa: N802
        if self._drag_from is not None:
            self._set_crop(self._drag_from, event.position())
            self._drag_from = None
            if self.crop is not None and min(self.crop[2] - self.crop[0], self.crop[3] - self.crop[1]) < MIN_CROP_SHARE:
                self.crop = None
                self.update()
            self.cropChanged.emit()

    def _set_crop(self, a: QPointF, b: QPointF) -> None:
        (x0, y0), (x1, y1) = self._share(a), self._share(b)
        self.crop = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        self.update()

    def paintEvent(self, event):  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#d0d7de"))
        rect = self.page_rect()
        if rect.isNull():
            return
        painter.drawPixmap(rect, self._pixmap, QRectF(self._pixmap.rect()))
        if self.crop is None:
            return
        x0, y0, x1, y1 = self.crop
        keep = QRectF(
            rect.x() + x0 * rect.width(),
            rect.y() + y0 * rect.height(),
            (x1 - x0) * rect.width(),
            (y1 - y0) * rect.height(),
        )
        shade = QColor(0, 0, 0, 110)
        for part in (
            QRectF(rect.left(), rect.top(), rect.width(), keep.top() - rect.top()),
            QRectF(rect.left(), keep.bottom(), rect.width(), rect.bottom() - keep.bottom()),
            QRectF(rect.left(), keep.top(), keep.left() - rect.left(), keep.height()),
            QRectF(keep.right(), keep.top(), rect.right() - keep.right(), keep.height()),
        ):
            painter.fillRect(part, shade)
        painter.setPen(QPen(QColor("#1f6feb"), 2))
        painter.drawRect(keep)


class PdfPageDialog(QDialog):
    """Page thumbnails on the left, the chosen page on the right to crop."""

    def __init__(self, parent: QWidget | None, name: str, page_count: int, previews: tuple[bytes | None, ...]):
        super().__init__(parent)
        self.setWindowTitle(f"Import {name}")
        self._previews = previews
        self.pages = QListWidget(self)
        self.pages.setObjectName("pdf_page_thumbnails")
        self.pages.setViewMode(QListWidget.ViewMode.IconMode)
        self.pages.setFlow(QListWidget.Flow.TopToBottom)
        self.pages.setWrapping(False)
        self.pages.setIconSize(QSize(THUMBNAIL_PX, THUMBNAIL_PX))
        self.pages.setFixedWidth(THUMBNAIL_PX + 40)
        self.pages.setMovement(QListWidget.Movement.Static)
        for index in range(page_count):
            item = QListWidgetItem(f"Page {index + 1}")
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.pages.addItem(item)
        self.preview = CropView(self)
        self.preview.setObjectName("pdf_crop_view")
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.whole_page = QPushButton("Whole page", self)
        self.whole_page.clicked.connect(self._keep_whole_page)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        right = QVBoxLayout()
        right.addWidget(self.preview, 1)
        right.addWidget(self.hint)
        row = QHBoxLayout()
        row.addWidget(self.whole_page)
        row.addStretch(1)
        row.addWidget(buttons)
        right.addLayout(row)
        layout = QHBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addLayout(right, 1)
        self.pages.currentRowChanged.connect(self._show_page)
        self.preview.cropChanged.connect(self._describe)
        self._next_thumbnail = 0
        self._thumbnails = QTimer(self, interval=0)
        self._thumbnails.timeout.connect(self._draw_next_thumbnail)
        self._thumbnails.start()
        self.pages.setCurrentRow(0)
        self.resize(760, 620)

    def _draw_next_thumbnail(self) -> None:
        index = self._next_thumbnail
        if index >= min(self.pages.count(), len(self._previews)):
            self._thumbnails.stop()
            return
        self._next_thumbnail += 1
        image = self._page_image(index)
        if not image.isNull():  # a page without a picture keeps its number; the import says why
            self.pages.item(index).setIcon(QIcon(QPixmap.fromImage(image)))

    def _page_image(self, index: int) -> QImage:
        return preview_image(self._previews[index] if index < len(self._previews) else None)

    def _show_page(self, index: int) -> None:
        if index < 0:
            return
        image = self._page_image(index)
        self.preview.set_page(image)
        if image.isNull():
            self.hint.setText(
                f"Page {index + 1} has no preview (it is past page {len(self._previews)} "
                "or cannot be drawn). Import it whole, or pick another page."
                if index >= len(self._previews)
                else f"Page {index + 1} cannot be drawn. Pick another page."
            )

    def _keep_whole_page(self) -> None:
        self.preview.crop = None
        self.preview.update()
        self._describe()

    def _describe(self) -> None:
        if self.preview.crop is None:
            self.hint.setText(
                "The whole page is imported. Drag over the drawing to keep only that part "
                "(title block and margins left out)."
            )
        else:
            x0, y0, x1, y1 = self.preview.crop
            self.hint.setText(
                f"Keeping the marked part: {100 * (x1 - x0):.0f} % of the width and "
                f"{100 * (y1 - y0):.0f} % of the height. Drag again to change it, or Whole page."
            )

    def choice(self) -> PdfChoice:
        return PdfChoice(max(self.pages.currentRow(), 0), self.preview.crop)


def ask_pdf_page(parent: QWidget, name: str, page_count: int, previews: tuple[bytes | None, ...]) -> PdfChoice | None:
    """The page to import and the part of it to keep, or None when cancelled."""
    dialog = PdfPageDialog(parent, name, page_count, previews)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.choice()
