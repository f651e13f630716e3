/*
 * A page script written the way Blazor component libraries write theirs (resize observers, focus
 * and selection helpers): functions on `window` that receive elements as arguments, call DOM
 * methods on them and report back through a DotNetObject's invokeMethodAsync. It knows nothing
 * of jsinterop: each hosting model's Chromium test bundles it unchanged beside its page glue.
 * `elementReference` is the one jsinterop import, for the page passing an element to the host
 * with the official package 10.
 */
import { elementReference } from '../../../src/page/element-references.js';

interface DotNetHelper {
  invokeMethodAsync(method: string, ...args: unknown[]): Promise<any>;
}

/** The markup: two inputs, a sized box, and an element as a server would render it, `_bl_` attribute included. */
export const ELEMENTS_MARKUP =
  '<input id="name" value="hello world"><input id="other"><div id="box" style="width:120px;height:30px"></div>' +
  '<span id="rendered" _bl_4f1e2d3c-0b9a-4876-a5b4-c3d2e1f0a9b8 style="display:inline-block;width:10px;height:20px"></span>';

export function installBlazorStylePage(): void {
  const container = document.createElement('div');
  container.innerHTML = ELEMENTS_MARKUP;
  document.body.append(container);
  (window as any).blazorStyle = {
    measure(element: Element) {
      const rect = element.getBoundingClientRect();
      return { tag: element.tagName, width: rect.width, height: rect.height };
    },
    select(input: HTMLInputElement, start: number, end: number) {
      input.focus();
      input.setSelectionRange(start, end);
      return { selected: input.value.slice(input.selectionStart!, input.selectionEnd!), focused: document.activeElement === input };
    },
    activeId: () => document.activeElement?.id ?? null,
    tabIndexOf: (id: string) => document.getElementById(id)!.getAttribute('tabindex'),
    byId: (id: string) => document.getElementById(id),
    // Reports back as a resize observer's callback would: the element's own id and its width.
    report(element: Element, helper: DotNetHelper) {
      return helper.invokeMethodAsync('Report', element.id, element.getBoundingClientRect().width);
    },
    // The page hands elements to the host: one as it is, one marked by elementReference().
    sendElements(helper: DotNetHelper) {
      const box = document.getElementById('box')!;
      return helper.invokeMethodAsync('Elements', box, elementReference(box));
    },
    // The host returns an ElementReference to the page, which arrives as the element.
    async receiveElement(helper: DotNetHelper) {
      const element = await helper.invokeMethodAsync('Box');
      return element === document.getElementById('box');
    },
  };
}
