/*
 * Host code ported from Blazor C#, call for call, driving the Blazor-style page script
 * (blazor-style-page.ts) with ElementReferences: the same scenario in every hosting model, whose
 * Chromium test asserts its result equals ELEMENT_SCENARIO_RESULT.
 */
import { ElementReference, HostObjectReference, type IJSRuntime } from '../../../src/index.js';

export async function elementScenario(js: IJSRuntime): Promise<unknown> {
  const name = (await ElementReference.capture(js, '#name'))!;
  const other = (await ElementReference.capture(js, '#other'))!;
  const box = (await ElementReference.capture(js, '#box'))!;
  const boxAgain = (await ElementReference.capture(js, '#box'))!;
  const boxObject = (await js.invokeObjectReferenceAsync('blazorStyle.byId', 'box'))!;
  const boxByReference = (await ElementReference.capture(js, boxObject))!;
  await boxObject.disposeAsync();
  // Markup rendered with its _bl_ attribute: the host names the id it rendered.
  const rendered = new ElementReference('4f1e2d3c-0b9a-4876-a5b4-c3d2e1f0a9b8');

  const measured = [await js.invokeAsync('blazorStyle.measure', box), await js.invokeAsync('blazorStyle.measure', rendered)];
  const selection = await js.invokeAsync('blazorStyle.select', name, 6, 11);
  await other.focusAsync(js);
  const afterFocus = await js.invokeAsync('blazorStyle.activeId');
  await js.invokeVoidAsync('Blazor._internal.domWrapper.focusBySelector', '#box');
  const afterFocusBySelector = [await js.invokeAsync('blazorStyle.activeId'), await js.invokeAsync('blazorStyle.tabIndexOf', 'box')];
  const focusError = await js.invokeVoidAsync('Blazor._internal.domWrapper.focus', new ElementReference('no-such-element'), false).then(
    () => 'focused',
    (error: Error) => error.message.split('\n')[0], // the page's text, then its stack
  );

  const reports: unknown[] = [];
  let fromPage: unknown[] = [];
  const helper = HostObjectReference.create(
    {
      Report: (id: string, width: number) => void reports.push({ id, width }),
      Elements: (...args: unknown[]) => {
        fromPage = args;
      },
      Box: () => box,
    },
    { invokable: ['Report', 'Elements', 'Box'] },
  );
  await js.invokeVoidAsync('blazorStyle.report', box, helper);
  await js.invokeVoidAsync('blazorStyle.sendElements', helper);
  const pageGotElement = await js.invokeAsync('blazorStyle.receiveElement', helper);
  helper.dispose();

  return {
    ids: { sameElementSameId: box.id === boxAgain.id && box.id === boxByReference.id, generated: /^jsi/.test(box.id) && name.id !== box.id },
    missing: await ElementReference.capture(js, '#missing'),
    measured,
    selection,
    afterFocus,
    afterFocusBySelector,
    focusError,
    reports,
    // Package 10 turns an element into {} (JSON.stringify of an element); elementReference() gives one.
    fromPage: fromPage.map((value) => (value instanceof ElementReference ? { elementReference: value.id === box.id } : value)),
    pageGotElement,
  };
}

export const ELEMENT_SCENARIO_RESULT = {
  ids: { sameElementSameId: true, generated: true },
  missing: null,
  measured: [
    { tag: 'DIV', width: 120, height: 30 },
    { tag: 'SPAN', width: 10, height: 20 },
  ],
  selection: { selected: 'world', focused: true },
  afterFocus: 'other',
  afterFocusBySelector: ['box', '-1'],
  focusError: 'Unable to focus an invalid element.',
  reports: [{ id: 'box', width: 120 }],
  fromPage: [{}, { elementReference: true }],
  pageGotElement: true,
};
